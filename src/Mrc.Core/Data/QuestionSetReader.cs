namespace Mrc.Core.Data;

/// <summary>Loads an evaluation or training set by its extension: <c>.jsonl</c> as JSON Lines, else SQuAD JSON.</summary>
public static class QuestionSetReader
{
    public static IReadOnlyList<QuestionExample> Load(string path) =>
        path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase)
            ? QuestionJsonl.Load(path)
            : SquadJson.Load(path).Examples().ToList();
}
