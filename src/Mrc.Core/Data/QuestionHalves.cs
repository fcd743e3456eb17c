namespace Mrc.Core.Data;

/// <summary>Which questions of an evaluation set to use.</summary>
public enum QuestionHalf
{
    All,
    First,
    Second,
}

/// <summary>
/// A deterministic two-way split for tuning on one half and reporting on the other: questions are
/// sorted by id (ordinal string order); the first half is the first ⌈n/2⌉ of them, the second half
/// the rest. It does not depend on file order, so re-ordering a dataset does not move questions.
/// </summary>
public static class QuestionHalves
{
    public static IReadOnlyList<QuestionExample> Select(IReadOnlyList<QuestionExample> questions, QuestionHalf half)
    {
        ArgumentNullException.ThrowIfNull(questions);
        if (half == QuestionHalf.All) return questions;
        var sorted = questions.OrderBy(q => q.Id, StringComparer.Ordinal).ToList();
        int firstCount = (sorted.Count + 1) / 2;
        return half == QuestionHalf.First ? sorted[..firstCount] : sorted[firstCount..];
    }

    /// <summary>
    /// The same two-way split by article, so that no article has questions in both halves: article
    /// titles sorted in ordinal order, the first ⌈m/2⌉ articles are the first half. Questions keep
    /// their order. (tools/lucene-reference/prepare.py splits the same way.)
    /// </summary>
    public static IReadOnlyList<QuestionExample> SelectByArticle(IReadOnlyList<QuestionExample> questions, QuestionHalf half)
    {
        ArgumentNullException.ThrowIfNull(questions);
        if (half == QuestionHalf.All) return questions;
        var titles = questions.Select(q => q.Title ?? "").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var first = titles.Take((titles.Count + 1) / 2).ToHashSet(StringComparer.Ordinal);
        return [.. questions.Where(q => first.Contains(q.Title ?? "") == (half == QuestionHalf.First))];
    }
}
