namespace MrcGrpc.AppHost;

/// <summary>Where the local run keeps its inputs (in the repository) and what it makes (under .local/, git-ignored).</summary>
internal sealed class LocalPaths(string appHostDirectory)
{
    public string Repository { get; } = Path.GetFullPath(Path.Combine(appHostDirectory, "..", ".."));

    public string DemoCorpus => Path.Combine(Repository, "data", "KorQuAD_v1.0_dev.part-a.json");

    public string Models => Path.Combine(Repository, "models");

    public string Index => Path.Combine(Repository, ".local", "index");

    public string Database => Path.Combine(Repository, ".local", "leaderboard.db");
}
