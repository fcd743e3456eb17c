using Microsoft.EntityFrameworkCore;
using Mrc.Leaderboard.Data;
using Mrc.Leaderboard.Evaluation;

namespace Mrc.Leaderboard.Domain;

/// <summary>Why a submission got a question wrong that the other got right.</summary>
public enum MissCause
{
    /// <summary>A predictions file: nothing is known of its retrieval.</summary>
    Unknown,
    /// <summary>The gold passage was not retrieved: the reader never saw the evidence.</summary>
    Retrieval,
    /// <summary>The gold passage was retrieved and the reader still missed.</summary>
    Reading,
}

/// <summary>A question one submission answers right (exact match) and the other wrong.</summary>
/// <param name="Cause">Why the wrong one missed.</param>
public sealed record ComparedQuestion(
    string QuestionId, string Question, IReadOnlyList<string> GoldAnswers, bool IsPrivate,
    string AnswerA, double F1A, bool? RetrievalHitA, string AnswerB, double F1B, bool? RetrievalHitB,
    bool RightIsA, MissCause Cause);

/// <summary>Two submissions of one set side by side, over the questions the caller may see.</summary>
public sealed record ComparisonView(
    SubmissionView A, SubmissionView B, int Questions, int BothRight, int BothWrong,
    int OnlyARight, int OnlyBRight, IReadOnlyList<ComparedQuestion> Differences)
{
    /// <summary>Of the questions only B got right, how many A missed for lack of the gold passage, and how many in reading.</summary>
    public int ARetrievalMisses => Differences.Count(d => !d.RightIsA && d.Cause == MissCause.Retrieval);
    public int AReadingMisses => Differences.Count(d => !d.RightIsA && d.Cause == MissCause.Reading);
    public int BRetrievalMisses => Differences.Count(d => d.RightIsA && d.Cause == MissCause.Retrieval);
    public int BReadingMisses => Differences.Count(d => d.RightIsA && d.Cause == MissCause.Reading);
}

/// <summary>
/// Question-by-question comparison of two submissions of the same set: which questions one answers
/// right and the other wrong, and whether the wrong one missed in retrieval (the gold passage was not
/// retrieved) or in reading. Teams compare their own submissions, over the public questions until
/// the reveal; the admin any two. A question without a prediction counts as wrong.
/// </summary>
public sealed class ComparisonService(IDbContextFactory<LeaderboardDbContext> dbFactory, SubmissionService submissions)
{
    public async Task<ComparisonView> CompareAsync(Caller caller, long a, long b, CancellationToken cancellationToken = default)
    {
        if (a == b)
            throw new LeaderboardException(LeaderboardError.InvalidArgument, "Choose two different submissions.", "서로 다른 두 제출을 고르세요.");
        // Each is authorized as GetSubmission is (NotFound, PermissionDenied).
        var viewA = await submissions.GetAsync(caller, a, cancellationToken);
        var viewB = await submissions.GetAsync(caller, b, cancellationToken);
        if (viewA.EvaluationSet != viewB.EvaluationSet)
            throw new LeaderboardException(LeaderboardError.InvalidArgument,
                $"Submissions {a} and {b} were made for different evaluation sets (\"{viewA.EvaluationSet}\", \"{viewB.EvaluationSet}\").",
                $"제출 #{a}과 #{b}은 평가 세트가 다릅니다 (\"{viewA.EvaluationSet}\", \"{viewB.EvaluationSet}\").");
        bool showPrivate = caller.CanSeePrivate(viewA.PrivateRevealed);

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var questions = db.Questions.AsNoTracking().Where(q => q.EvaluationSet!.Name == viewA.EvaluationSet);
        if (!showPrivate) questions = questions.Where(q => !q.IsPrivate);
        var list = await questions.OrderBy(q => q.Ordinal).ToListAsync(cancellationToken);
        var predictions = await db.Predictions.AsNoTracking()
            .Where(p => (p.SubmissionId == a || p.SubmissionId == b) && (showPrivate || !p.Question!.IsPrivate))
            .ToListAsync(cancellationToken);
        var byA = predictions.Where(p => p.SubmissionId == a).ToDictionary(p => p.QuestionRowId);
        var byB = predictions.Where(p => p.SubmissionId == b).ToDictionary(p => p.QuestionRowId);

        int bothRight = 0, bothWrong = 0, onlyA = 0, onlyB = 0;
        var differences = new List<ComparedQuestion>();
        foreach (var question in list)
        {
            var pa = byA.GetValueOrDefault(question.Id);
            var pb = byB.GetValueOrDefault(question.Id);
            bool rightA = pa is { ExactMatch: >= 100 }, rightB = pb is { ExactMatch: >= 100 };
            if (rightA && rightB) bothRight++;
            else if (!rightA && !rightB) bothWrong++;
            else
            {
                if (rightA) onlyA++;
                else onlyB++;
                var wrong = rightA ? pb : pa;
                var cause = wrong?.RetrievalHit switch { false => MissCause.Retrieval, true => MissCause.Reading, null => MissCause.Unknown };
                differences.Add(new ComparedQuestion(
                    question.QuestionId, question.Text, Scoring.GoldAnswers(question), question.IsPrivate,
                    pa?.Answer ?? "", pa?.F1 ?? 0, pa?.RetrievalHit, pb?.Answer ?? "", pb?.F1 ?? 0, pb?.RetrievalHit, rightA, cause));
            }
        }
        return new ComparisonView(viewA, viewB, list.Count, bothRight, bothWrong, onlyA, onlyB, differences);
    }
}
