namespace Mrc.Training;

/// <summary>
/// Curriculum learning as the competition write-up did it (+1.25 EM): train on examples sorted by
/// context length, shortest first, without shuffling. The sort is stable, so examples of equal
/// length keep their file order and a run is reproducible.
/// </summary>
public static class CurriculumOrder
{
    public static IReadOnlyList<T> ByContextLength<T>(IEnumerable<T> examples, Func<T, string> context) =>
        examples.Select((example, index) => (example, index))
            .OrderBy(e => context(e.example).Length)
            .ThenBy(e => e.index)
            .Select(e => e.example)
            .ToList();
}
