using Microsoft.Extensions.Options;
using Mrc.Core.Runs;

namespace Mrc.Leaderboard.Experiments;

/// <summary>What the run list can be narrowed to; empty fields do not filter.</summary>
public sealed record RunFilter(string? Kind = null, string? Status = null, string? Tag = null, string? Text = null);

/// <summary>A run in the list: its record and the figures the list shows.</summary>
public sealed record RunSummary(RunRecord Run, int LastStep, double? LastLoss, RunMetric? BestEvaluation);

/// <summary>One run with every metric line.</summary>
public sealed record RunDetail(RunRecord Run, IReadOnlyList<RunMetric> Metrics)
{
    public IEnumerable<RunMetric> Steps => Metrics.Where(m => m.Loss is not null);
    public IEnumerable<RunMetric> Evaluations => Metrics.Where(m => m.IsEvaluation);
    /// <summary>The best evaluation by F1 (the one training keeps as its model), or null.</summary>
    public RunMetric? Best => Evaluations.MaxBy(m => m.F1);
    public RunMetric? Final => Evaluations.LastOrDefault();
}

/// <summary>A config key that differs between compared runs, with each run's value ("–" when it has none).</summary>
public sealed record ConfigDifference(string Key, IReadOnlyList<string> Values);

/// <summary>
/// Read-only view of the run store for the experiments pages and the leaderboard's links from a model
/// version to the run that trained it. Reads the files on every call: runs are added and grow while
/// the site is up, and a run store holds tens of runs, not thousands.
/// </summary>
public sealed class RunCatalog(IOptions<ExperimentsOptions> options)
{
    readonly RunStore? store = string.IsNullOrWhiteSpace(options.Value.RunsPath) ? null : new RunStore(options.Value.RunsPath);

    public bool IsConfigured => store is not null;

    public string? Root => store?.Root;

    public IReadOnlyList<RunSummary> List(RunFilter filter)
    {
        if (store is null) return [];
        return store.List().Where(r => Matches(r, filter)).Select(r =>
        {
            var metrics = store.ReadMetrics(r.Id);
            var lastStep = metrics.LastOrDefault(m => m.Loss is not null);
            return new RunSummary(r, metrics.Count == 0 ? 0 : metrics.Max(m => m.Step), lastStep?.Loss,
                metrics.Where(m => m.IsEvaluation).MaxBy(m => m.F1));
        }).ToList();
    }

    /// <summary>Every tag any run carries, for the filter's choices.</summary>
    public IReadOnlyList<string> Tags() =>
        store is null ? [] : store.List().SelectMany(r => r.Tags).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    public RunDetail? Find(string id) =>
        store?.Find(id) is { } run ? new RunDetail(run, store.ReadMetrics(run.Id)) : null;

    /// <summary>
    /// For each model version some finished run trained (its output folder is <c>.../NAME/VERSION</c>),
    /// the newest such run's id. Read once per page, not once per row.
    /// </summary>
    public IReadOnlyDictionary<(string Model, string Version), string> RunsByModelVersion()
    {
        if (store is null) return new Dictionary<(string, string), string>();
        var byVersion = new Dictionary<(string, string), string>();
        foreach (var run in store.List()) // newest first: the first run of a version wins
            if (run.Status == RunStatuses.Finished && run.ModelVersion is { } version) byVersion.TryAdd(version, run.Id);
        return byVersion;
    }

    /// <summary>Config keys whose values are not the same in every run, in key order.</summary>
    public static IReadOnlyList<ConfigDifference> Differences(IReadOnlyList<RunRecord> runs)
    {
        var keys = runs.SelectMany(r => r.Config.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var differences = new List<ConfigDifference>();
        foreach (var key in keys)
        {
            var values = runs.Select(r => r.Config.TryGetValue(key, out var v) ? v : "–").ToList();
            if (values.Distinct(StringComparer.Ordinal).Count() > 1) differences.Add(new ConfigDifference(key, values));
        }
        return differences;
    }

    static bool Matches(RunRecord run, RunFilter filter) =>
        (string.IsNullOrEmpty(filter.Kind) || run.Kind == filter.Kind)
        && (string.IsNullOrEmpty(filter.Status) || run.Status == filter.Status)
        && (string.IsNullOrEmpty(filter.Tag) || run.Tags.Contains(filter.Tag))
        && (string.IsNullOrWhiteSpace(filter.Text) || Contains(run, filter.Text.Trim()));

    static bool Contains(RunRecord run, string text) =>
        run.Id.Contains(text, StringComparison.OrdinalIgnoreCase)
        || run.Name.Contains(text, StringComparison.OrdinalIgnoreCase)
        || (run.Output?.Contains(text, StringComparison.OrdinalIgnoreCase) ?? false)
        || run.Tags.Any(t => t.Contains(text, StringComparison.OrdinalIgnoreCase));
}
