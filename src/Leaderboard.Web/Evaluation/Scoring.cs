using Mrc.Core.Data;
using Mrc.Leaderboard.Data;
using Mrc.Core.Metrics;

namespace Mrc.Leaderboard.Evaluation;

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
    /// <summary>The question's gold answer texts.</summary>
    public static IReadOnlyList<string> GoldAnswers(EvaluationQuestion question)
    {
        ArgumentNullException.ThrowIfNull(question);
        return [.. GoldAnswersJson.Parse(question.AnswersJson).Select(a => a.Text)];
    }

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
    public static void Apply(SubmissionRecord submission, SubmissionScores scores)
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
