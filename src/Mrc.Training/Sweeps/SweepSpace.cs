using System.Globalization;

namespace Mrc.Training.Sweeps;

/// <summary>The trials of a sweep: each an assignment of values (as YAML text) to the swept keys.</summary>
public static class SweepSpace
{
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> Trials(SweepConfig config) =>
        config.Method == SweepConfig.Grid ? Grid(config.Parameters) : Random(config.Parameters, config.Trials, config.Seed);

    /// <summary>Every combination, the last parameter changing fastest (as nested loops in file order).</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> Grid(IReadOnlyList<SweepParameter> parameters)
    {
        IEnumerable<Dictionary<string, string>> combinations = [new(StringComparer.Ordinal)];
        foreach (var parameter in parameters)
        {
            var values = parameter.Values ?? throw parameter.Source.Error($"parameter '{parameter.Key}': a grid needs a list of values");
            combinations = combinations.SelectMany(c => values.Select(v => new Dictionary<string, string>(c, StringComparer.Ordinal) { [parameter.Key] = v })).ToList();
        }
        return combinations.ToList();
    }

    /// <summary>
    /// <paramref name="count"/> draws with the seed: a uniform choice from a list, a uniform value in
    /// a range, or log-uniform with <c>log: true</c> (learning rates).
    /// </summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> Random(IReadOnlyList<SweepParameter> parameters, int count, int seed)
    {
        var random = new System.Random(seed);
        var trials = new List<IReadOnlyDictionary<string, string>>();
        for (int i = 0; i < count; i++)
        {
            var trial = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var p in parameters)
            {
                double u = random.NextDouble();
                trial[p.Key] = p.Values is { } values ? values[Math.Min(values.Count - 1, (int)(u * values.Count))]
                    : (p.Log ? Math.Exp(Math.Log(p.Min) + u * (Math.Log(p.Max) - Math.Log(p.Min))) : p.Min + u * (p.Max - p.Min))
                        .ToString("G6", CultureInfo.InvariantCulture);
            }
            trials.Add(trial);
        }
        return trials;
    }
}
