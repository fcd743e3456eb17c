using Mrc.Core.Runs;

namespace Mrc.Leaderboard.Experiments;

/// <summary>One line of a chart: a name and (step, value) points.</summary>
public sealed record Curve(string Name, IReadOnlyList<(int Step, double Value)> Points);

/// <summary>
/// Lines on a shared step axis, as MudChart's line chart draws them (one label per x position, one
/// value per label in every series). Runs that logged at different steps are placed on the union of
/// their steps; between two of its own points a line is interpolated linearly, and outside its first
/// and last point it holds that point's value.
/// </summary>
public sealed record ChartData(string[] Labels, IReadOnlyList<(string Name, double[] Values)> Series)
{
    /// <summary>At most this many x positions: a label per position stays readable.</summary>
    public const int MaxPoints = 60;

    public static ChartData From(IReadOnlyList<Curve> curves)
    {
        var steps = curves.SelectMany(c => c.Points.Select(p => p.Step)).Distinct().Order().ToList();
        if (steps.Count > MaxPoints)
            steps = Enumerable.Range(0, MaxPoints).Select(i => steps[(int)Math.Round(i * (steps.Count - 1) / (double)(MaxPoints - 1))]).Distinct().ToList();
        var series = curves.Where(c => c.Points.Count > 0)
            .Select(c => (c.Name, c.Points.OrderBy(p => p.Step).ToList()))
            .Select(c => (c.Name, steps.Select(s => Math.Round(ValueAt(c.Item2, s), 4)).ToArray()))
            .ToList();
        return new ChartData(steps.Select(s => s.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(), series);
    }

    public static Curve Loss(string name, IEnumerable<RunMetric> metrics) =>
        new(name, metrics.Where(m => m.Loss is not null).Select(m => (m.Step, m.Loss!.Value)).ToList());

    public static Curve F1(string name, IEnumerable<RunMetric> metrics) =>
        new(name, metrics.Where(m => m.F1 is not null).Select(m => (m.Step, m.F1!.Value)).ToList());

    public static Curve ExactMatch(string name, IEnumerable<RunMetric> metrics) =>
        new(name, metrics.Where(m => m.ExactMatch is not null).Select(m => (m.Step, m.ExactMatch!.Value)).ToList());

    static double ValueAt(List<(int Step, double Value)> points, int step)
    {
        if (step <= points[0].Step) return points[0].Value;
        for (int i = 1; i < points.Count; i++)
        {
            if (step > points[i].Step) continue;
            var (s0, v0) = points[i - 1];
            var (s1, v1) = points[i];
            return s1 == s0 ? v1 : v0 + (v1 - v0) * (step - s0) / (s1 - s0);
        }
        return points[^1].Value;
    }
}
