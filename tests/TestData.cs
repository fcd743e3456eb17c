namespace Mrc.Tests;

/// <summary>Locates the repository and the shared data folder beside it, from any test's output folder.</summary>
public static class TestData
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The KorQuAD 1.0 dev part a file (120 articles, 5,110 questions), shipped unaltered in data/.</summary>
    public static string KorQuadPartA => Path.Combine(RepositoryRoot, "data", "KorQuAD_v1.0_dev.part-a.json");

    public static string SharedData(params string[] parts)
    {
        // The KLUE files are read from beside the repository, not shipped with it.
        var candidates = new[]
        {
            Environment.GetEnvironmentVariable("MRC_SHARED_DATA"),
            Path.Combine(RepositoryRoot, "..", "shared", "data"),
        };
        foreach (var root in candidates)
        {
            if (root is null) continue;
            var path = Path.GetFullPath(Path.Combine([root, .. parts]));
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException(
            $"Test data {Path.Combine(parts)} not found: set MRC_SHARED_DATA to the folder holding korquad/ and klue/.");
    }

    static string FindRepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "MrcGrpc.sln")))
            directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("MrcGrpc.sln not found above " + AppContext.BaseDirectory);
    }
}
