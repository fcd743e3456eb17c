namespace MrcGrpc.AppHost;

/// <summary>
/// Where the local run keeps its inputs (in the repository) and what it makes: under .local/ (git-ignored),
/// or under the folder that the setting <c>LocalFolder</c> names (tests start the AppHost on a temporary one).
/// </summary>
internal sealed class LocalPaths(string appHostDirectory, string? localFolder)
{
    public string Repository { get; } = Path.GetFullPath(Path.Combine(appHostDirectory, "..", ".."));

    public string Local => string.IsNullOrEmpty(localFolder) ? Path.Combine(Repository, ".local") : Path.GetFullPath(localFolder);

    public string DemoCorpus => Path.Combine(Repository, "data", "KorQuAD_v1.0_dev.part-a.json");

    public string Models => Path.Combine(Repository, "models");

    public string Index => Path.Combine(Local, "index");

    public string Split => Path.Combine(Local, "split");

    public string DemoEvaluationSet => Path.Combine(Split, "test.json");

    public const string DemoEvaluationSetName = "korquad-part-a-test";

    public const string DemoTeamName = "demo";

    public string Database => Path.Combine(Local, "leaderboard.db");

    /// <summary>The run store `mrc train` writes by default (its --runs-dir), read by the experiments page.</summary>
    public string Runs => Path.Combine(Local, "runs");
}
