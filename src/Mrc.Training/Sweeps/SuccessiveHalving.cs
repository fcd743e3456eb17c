namespace Mrc.Training.Sweeps;

/// <summary>Which trials continue after a rung of successive halving.</summary>
public static class SuccessiveHalving
{
    /// <summary>The best ⌊n/η⌋ trials by dev F1 (at least one, as Hyperband keeps); ties go to the earlier trial.</summary>
    public static IReadOnlyList<int> Survivors(IReadOnlyList<(int Id, double F1)> results, double eta)
    {
        int keep = Math.Max(1, (int)Math.Floor(results.Count / eta));
        return results.OrderByDescending(r => r.F1).ThenBy(r => r.Id).Take(keep).Select(r => r.Id).Order().ToList();
    }
}
