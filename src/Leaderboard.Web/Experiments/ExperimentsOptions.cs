namespace Mrc.Leaderboard.Experiments;

/// <summary>Section "Experiments": where the experiments page reads training runs from.</summary>
public sealed class ExperimentsOptions
{
    public const string SectionName = "Experiments";

    /// <summary>
    /// The run store `mrc train` writes (its <c>--runs-dir</c>); relative to the working directory.
    /// Empty: the experiments page says that no run store is configured.
    /// </summary>
    public string RunsPath { get; set; } = "";
}
