using Mrc.Leaderboard.Data;
using Mrc.Leaderboard.Evaluation;
using Mrc.Core.Pipeline;

namespace Mrc.Leaderboard.Domain;

/// <summary>
/// A submission as a given caller may see it: private and all-question scores only when allowed, and
/// the retrieval recall over the public questions only while the private split is hidden from the caller.
/// </summary>
public sealed record SubmissionView(
    long Id,
    long TeamId,
    string Team,
    string EvaluationSet,
    bool PrivateRevealed,
    SubmissionKind Kind,
    string Description,
    string Model,
    string Version,
    int TopK,
    float? K1,
    float? B,
    RunMode ReadMode,
    float RetrieverWeight,
    SubmissionStatus Status,
    DateTime SubmittedAt,
    DateTime? FinishedAt,
    int Completed,
    int Total,
    ScoreSummary? Public,
    ScoreSummary? Private,
    ScoreSummary? All,
    double? RetrievalRecall,
    string Error)
{
    public bool IsFinal => Status is SubmissionStatus.Succeeded or SubmissionStatus.Failed or SubmissionStatus.Cancelled;

    /// <summary>Marked final by its team (see <see cref="FinalSelection"/>).</summary>
    public bool MarkedFinal { get; init; }

    /// <summary>Pinned by the admin as a baseline row.</summary>
    public bool IsBaseline { get; init; }

    /// <param name="publicRetrievalHits">Questions of the set's public split whose gold passage the run retrieved; used only while the viewer does not see the private split.</param>
    internal static SubmissionView From(SubmissionRecord s, string team, EvaluationSet set, Caller? viewer, int publicRetrievalHits)
    {
        bool showPrivate = ShowsPrivate(set, viewer);
        // Recall over every question tells how the private questions went, so before the reveal it is
        // the recall over the public ones (a question not predicted counts as a miss, as in the stored one).
        double? recall = showPrivate ? s.RetrievalRecall
            : s.RetrievalRecall is not null && set.PublicCount > 0 ? (double)publicRetrievalHits / set.PublicCount
            : null;
        bool succeeded = s.Status == SubmissionStatus.Succeeded;
        ScoreSummary? Score(double? em, double? f1, int count, int unanswered) =>
            succeeded && em is { } e && f1 is { } f ? new ScoreSummary(e, f, count, unanswered) : null;
        return new SubmissionView(
            s.Id, s.TeamId, team, set.Name, set.PrivateRevealed, s.Kind, s.Description, s.Model, s.Version,
            s.TopK, s.K1, s.B, s.ReadMode, s.RetrieverWeight, s.Status, s.SubmittedAt, s.FinishedAt, s.Completed, s.Total,
            Score(s.PublicExactMatch, s.PublicF1, s.PublicQuestionCount, s.PublicUnanswered),
            showPrivate ? Score(s.PrivateExactMatch, s.PrivateF1, s.PrivateQuestionCount, s.PrivateUnanswered) : null,
            showPrivate ? Score(s.AllExactMatch, s.AllF1, s.PublicQuestionCount + s.PrivateQuestionCount, s.PublicUnanswered + s.PrivateUnanswered) : null,
            recall, s.Error)
        {
            MarkedFinal = s.MarkedFinal,
            IsBaseline = s.IsBaseline,
        };
    }

    /// <summary>Whether <paramref name="viewer"/> (null: anonymous) sees the private split of <paramref name="set"/>.</summary>
    internal static bool ShowsPrivate(EvaluationSet set, Caller? viewer) => viewer?.CanSeePrivate(set.PrivateRevealed) ?? set.PrivateRevealed;
}

/// <summary>Which per-question rows to list.</summary>
public enum PredictionFilter
{
    All,
    /// <summary>Not an exact match.</summary>
    Wrong,
    /// <summary>Wrong, and the gold passage was not retrieved: the retriever's miss.</summary>
    RetrievalMiss,
    /// <summary>Wrong although the gold passage was retrieved: the reader's miss.</summary>
    ReaderMiss,
}

/// <summary>One answered (or unanswered) question of a submission.</summary>
public sealed record PredictionView(
    string QuestionId,
    string Question,
    string Prediction,
    IReadOnlyList<string> GoldAnswers,
    bool GoldHidden,
    double ExactMatch,
    double F1,
    bool? RetrievalHit,
    RetrievalRule? RetrievalRule,
    bool IsPrivate,
    string NBestJson,
    string? Problem = null)
{
    /// <summary>"retrieval miss", "reader miss", or null for a correct answer / unknown retrieval.</summary>
    public string? MissKind => ExactMatch >= 100 || RetrievalHit is null ? null : RetrievalHit.Value ? "reader miss" : "retrieval miss";
}

public sealed record PredictionPage(IReadOnlyList<PredictionView> Rows, int TotalRows, bool PrivateHidden);

/// <summary>A leaderboard line: the best submission of one team and model version (public ranking) or of one team's finals (private ranking).</summary>
public sealed record LeaderboardRow(int Rank, string Team, string Model, string Version, int SubmissionCount, SubmissionView Best);

/// <summary>A point of the score chart: one succeeded submission.</summary>
public sealed record ChartPoint(long SubmissionId, string Team, string Model, string Version, DateTime SubmittedAt, double ExactMatch, double F1);

/// <param name="RankedByPrivate">Ranked by private scores over final submissions (after the reveal), one line per team.</param>
public sealed record LeaderboardView(EvaluationSetInfo Set, bool RankedByPrivate, IReadOnlyList<LeaderboardRow> Rows, IReadOnlyList<ChartPoint> Chart)
{
    /// <summary>Baseline rows pinned by the admin: shown apart, with rank 0, never ranked.</summary>
    public IReadOnlyList<LeaderboardRow> Baselines { get; init; } = [];
}

/// <summary>What a team asks the server to run.</summary>
public sealed record ModelRunRequest(string Model, string? Version, int TopK, float? K1, float? B, RunMode ReadMode, float RetrieverWeight);
