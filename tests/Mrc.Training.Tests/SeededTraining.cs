namespace Mrc.Training.Tests;

/// <summary>
/// Training tests seed libtorch's one global random generator and compare weights bit for bit; run
/// in parallel, they would draw from each other's sequence. Tests in this collection run one at a time.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SeededTraining
{
    public const string Name = "seeded training";
}
