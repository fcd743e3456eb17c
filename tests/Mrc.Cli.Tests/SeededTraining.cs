namespace Mrc.Cli.Tests;

/// <summary>
/// Training tests seed libtorch's one global random generator and compare weights bit for bit; any
/// test that builds a model draws from that generator too (default initialisation), so run in
/// parallel they would change each other's weights. Tests in this collection run one at a time.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SeededTraining
{
    public const string Name = "seeded training";
}
