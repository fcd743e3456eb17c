using Mrc.Training.Configuration;

namespace Mrc.Training.Sweeps;

/// <summary>
/// One swept key (a run-configuration key, or <c>stages.NAME.key</c>): a list of values (grid, or a
/// uniform choice in random search), or a range for random search, uniform or log-uniform.
/// </summary>
public sealed record SweepParameter(string Key, IReadOnlyList<string>? Values, double Min, double Max, bool Log, ConfigSource Source);

/// <summary>Successive halving: every trial runs <c>MinSteps</c>, the best 1/η continue to η times the steps, and so on for <c>Rungs</c> rungs.</summary>
public sealed record HalvingSettings(double Eta, int MinSteps, int Rungs)
{
    /// <summary>Optimizer steps of the last stage after rung <paramref name="rung"/> (0-based): MinSteps·η^rung.</summary>
    public int BudgetAt(int rung) => checked((int)Math.Round(MinSteps * Math.Pow(Eta, rung)));
}

/// <summary>A sweep: the run configuration its trials start from, how trials are chosen, and where the best model goes.</summary>
public sealed record SweepConfig(
    string File,
    string RunFile,
    string OutputFolder,
    string Method,
    int Trials,
    int Seed,
    IReadOnlyList<SweepParameter> Parameters,
    HalvingSettings? Halving,
    string? Repository,
    string? ModelName)
{
    public const string Grid = "grid";
    public const string Random = "random";
}
