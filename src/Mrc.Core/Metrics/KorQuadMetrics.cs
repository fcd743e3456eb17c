using System.Globalization;
using System.Text;

namespace Mrc.Core.Metrics;

/// <summary>
/// Exact Match and F1 exactly as the official KorQuAD 1.0 evaluation script (evaluate-v1.0.py)
/// computes them, including Python's string semantics: code points rather than UTF-16 units,
/// <c>str.lower()</c>, <c>str.split()</c> whitespace and <c>string.punctuation</c>.
/// </summary>
public static class KorQuadMetrics
{
    // remove_(): each of these becomes a space.
    const string ReplacedBySpace = "'\"《》<>〈〉()‘’";

    // Python's string.punctuation: deleted after lower-casing.
    const string AsciiPunctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    /// <summary>normalize_answer: remove_ → lower → remove_punc → white_space_fix.</summary>
    public static string Normalize(string text)
    {
        var replaced = new StringBuilder(text.Length);
        foreach (char c in text) replaced.Append(ReplacedBySpace.Contains(c) ? ' ' : c);

        string lowered = PythonText.Lower(replaced.ToString());

        var kept = new StringBuilder(lowered.Length);
        foreach (char c in lowered)
            if (!AsciiPunctuation.Contains(c)) kept.Append(c);

        return string.Join(' ', PythonText.Split(kept.ToString()));
    }

    public static bool ExactMatch(string prediction, string groundTruth) =>
        string.Equals(Normalize(prediction), Normalize(groundTruth), StringComparison.Ordinal);

    /// <summary>Character-level F1 over the multiset of code points of the normalised tokens (spaces ignored).</summary>
    public static double F1(string prediction, string groundTruth)
    {
        var predictionChars = CodePoints(PythonText.Split(Normalize(prediction)));
        var truthChars = CodePoints(PythonText.Split(Normalize(groundTruth)));

        var truthCounts = new Dictionary<int, int>();
        foreach (int c in truthChars) truthCounts[c] = truthCounts.GetValueOrDefault(c) + 1;
        int same = 0;
        foreach (int c in predictionChars)
        {
            if (truthCounts.TryGetValue(c, out int left) && left > 0)
            {
                truthCounts[c] = left - 1;
                same++;
            }
        }
        if (same == 0) return 0;

        double precision = 1.0 * same / predictionChars.Count;
        double recall = 1.0 * same / truthChars.Count;
        return 2 * precision * recall / (precision + recall);
    }

    /// <summary>Best EM (0 or 1) over the gold answers; 0 when there are none.</summary>
    public static double MaxExactMatch(string prediction, IEnumerable<string> groundTruths)
    {
        double best = 0;
        foreach (var truth in groundTruths) best = Math.Max(best, ExactMatch(prediction, truth) ? 1 : 0);
        return best;
    }

    /// <summary>Best F1 (0..1) over the gold answers; 0 when there are none.</summary>
    public static double MaxF1(string prediction, IEnumerable<string> groundTruths)
    {
        double best = 0;
        foreach (var truth in groundTruths) best = Math.Max(best, F1(prediction, truth));
        return best;
    }

    /// <summary>
    /// evaluate(): mean EM and F1, ×100, over every question. A question without a prediction
    /// scores 0 and is listed in <see cref="EvaluationResult.Unanswered"/>.
    /// </summary>
    public static EvaluationResult Evaluate(
        IEnumerable<(string Id, IReadOnlyList<string> GroundTruths)> questions,
        IReadOnlyDictionary<string, string> predictions)
    {
        double exactMatch = 0, f1 = 0;
        int total = 0;
        var unanswered = new List<string>();
        foreach (var (id, truths) in questions)
        {
            total++;
            if (!predictions.TryGetValue(id, out var prediction))
            {
                unanswered.Add(id);
                continue;
            }
            exactMatch += MaxExactMatch(prediction, truths);
            f1 += MaxF1(prediction, truths);
        }
        if (total == 0) throw new ArgumentException("The dataset has no questions to evaluate.", nameof(questions));
        return new EvaluationResult(100.0 * exactMatch / total, 100.0 * f1 / total, total, unanswered);
    }

    static List<int> CodePoints(IEnumerable<string> tokens)
    {
        var points = new List<int>();
        foreach (var token in tokens)
            foreach (var rune in token.EnumerateRunes()) points.Add(rune.Value);
        return points;
    }
}

/// <summary>Scores of one evaluation, in percent, as the official script reports them.</summary>
public sealed record EvaluationResult(double ExactMatch, double F1, int QuestionCount, IReadOnlyList<string> Unanswered)
{
    /// <summary>The official script's stdout line: <c>{"exact_match": 12.3, "f1": 45.6}</c>.</summary>
    public string ToOfficialJson() =>
        string.Create(CultureInfo.InvariantCulture,
            $"{{\"exact_match\": {PythonText.FloatRepr(ExactMatch)}, \"f1\": {PythonText.FloatRepr(F1)}}}");
}
