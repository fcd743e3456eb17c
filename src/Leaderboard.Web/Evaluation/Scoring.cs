using System.Text.Json;
using Leaderboard.Web.Data;
using Mrc.Core.Metrics;

namespace Leaderboard.Web.Evaluation;

/// <summary>Scores of one subset in percent (KorQuAD 1.0 official EM/F1).</summary>
public sealed record ScoreSummary(double ExactMatch, double F1, int QuestionCount, int UnansweredCount);

/// <summary>A submission's scores over every question and over each split (null when the split is empty).</summary>
public sealed record SubmissionScores(ScoreSummary All, ScoreSummary? Public, ScoreSummary? Private);

/// <summary>
/// EM and F1 exactly as <see cref="KorQuadMetrics"/> (the official KorQuAD 1.0 script) computes them:
/// per question (best over the gold answers) and per subset (mean over its questions, unanswered = 0).
/// </summary>
public static class Scoring
{
    public static IReadOnlyList<string> GoldAnswers(EvaluationQuestion question) =>
        JsonSerializer.Deserialize<string[]>(question.AnswersJson) ?? [];

    /// <summary>Per-question EM (0 or 100) and F1 (0..100).</summary>
    public static (double ExactMatch, double F1) ScoreQuestion(string prediction, IReadOnlyList<string> goldAnswers) =>
        (100 * KorQuadMetrics.MaxExactMatch(prediction, goldAnswers), 100 * KorQuadMetrics.MaxF1(prediction, goldAnswers));

    public static SubmissionScores ScoreSubmission(
        IReadOnlyList<EvaluationQuestion> questions, IReadOnlyDictionary<string, string> predictions)
    {
        var all = Evaluate(questions, predictions)
            ?? throw new ArgumentException("The evaluation set has no questions.", nameof(questions));
        return new SubmissionScores(
            all,
            Evaluate(questions.Where(q => !q.IsPrivate).ToList(), predictions),
            Evaluate(questions.Where(q => q.IsPrivate).ToList(), predictions));
    }

    static ScoreSummary? Evaluate(IReadOnlyList<EvaluationQuestion> questions, IReadOnlyDictionary<string, string> predictions)
    {
        if (questions.Count == 0) return null;
        var result = KorQuadMetrics.Evaluate(questions.Select(q => (q.QuestionId, GoldAnswers(q))), predictions);
        return new ScoreSummary(result.ExactMatch, result.F1, result.QuestionCount, result.Unanswered.Count);
    }

    /// <summary>Stores final scores on the submission entity.</summary>
    public static void Apply(Submission submission, SubmissionScores scores)
    {
        submission.AllExactMatch = scores.All.ExactMatch;
        submission.AllF1 = scores.All.F1;
        submission.PublicExactMatch = scores.Public?.ExactMatch;
        submission.PublicF1 = scores.Public?.F1;
        submission.PublicQuestionCount = scores.Public?.QuestionCount ?? 0;
        submission.PublicUnanswered = scores.Public?.UnansweredCount ?? 0;
        submission.PrivateExactMatch = scores.Private?.ExactMatch;
        submission.PrivateF1 = scores.Private?.F1;
        submission.PrivateQuestionCount = scores.Private?.QuestionCount ?? 0;
        submission.PrivateUnanswered = scores.Private?.UnansweredCount ?? 0;
    }
}

/// <summary>
/// Whether a question's gold passage was among the retrieved passages. With a gold paragraph
/// (SQuAD/KorQuAD files) the rule is <see cref="RetrievalRule.GoldContext"/>: a passage contains the
/// whole paragraph, or is a piece cut from it that contains a gold answer. Without one (open-domain
/// JSONL) it is <see cref="RetrievalRule.AnswerText"/>: a passage contains a gold answer text.
/// Whitespace runs are collapsed on both sides before comparing.
/// </summary>
public static class RetrievalMatch
{
    public static (bool Hit, RetrievalRule Rule) Evaluate(string? goldContext, IReadOnlyList<string> goldAnswers, IEnumerable<string> passages)
    {
        var answers = goldAnswers.Select(Collapse).Where(a => a.Length > 0).ToList();
        if (string.IsNullOrWhiteSpace(goldContext))
            return (passages.Select(Collapse).Any(p => answers.Any(a => p.Contains(a, StringComparison.Ordinal))), RetrievalRule.AnswerText);

        var context = Collapse(goldContext);
        bool hit = passages.Select(Collapse).Any(p =>
            p.Contains(context, StringComparison.Ordinal)
            || (p.Length > 0 && context.Contains(p, StringComparison.Ordinal) && answers.Any(a => p.Contains(a, StringComparison.Ordinal))));
        return (hit, RetrievalRule.GoldContext);
    }

    static string Collapse(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
