using Mrc.Core.Pipeline;

namespace Mrc.Leaderboard.Data;

/// <summary>A registered evaluation set: questions with gold answers, split into public and private.</summary>
public sealed class EvaluationSet
{
    public long Id { get; set; }
    public required string Name { get; set; }
    /// <summary>File name the set was uploaded as.</summary>
    public string SourceFileName { get; set; } = "";
    /// <summary>Share of questions in the private split (0..1), fixed when the set is registered.</summary>
    public double PrivateShare { get; set; }
    /// <summary>
    /// Secret salt of the public/private split (<see cref="Domain.PublicPrivateSplit"/>), drawn at
    /// registration and never shown; empty for sets registered before salts, which keep the old rule.
    /// </summary>
    public string SplitSalt { get; set; } = "";
    /// <summary>Whether private scores and private gold answers are visible to teams.</summary>
    public bool PrivateRevealed { get; set; }
    /// <summary>
    /// When the private split was first revealed (by the admin or at the close); null before. The close
    /// reveals only sets never revealed, so an admin who hides the split again is not overruled.
    /// </summary>
    public DateTime? RevealedAt { get; set; }
    /// <summary>Submissions are accepted from this time (UTC); null: from registration.</summary>
    public DateTime? OpensAt { get; set; }
    /// <summary>The deadline (UTC): no submissions or final choices from then on, and the private split is revealed; null: never closes.</summary>
    public DateTime? ClosesAt { get; set; }
    /// <summary>How many submissions a team may mark final (<see cref="Domain.FinalSelection"/>).</summary>
    public int FinalSubmissionLimit { get; set; } = 2;
    /// <summary>
    /// The retriever's index model runs on this set search (a name of Retriever.ListIndexes); null: the
    /// retriever's default index. Checked against the retriever when set or changed.
    /// </summary>
    public string? RetrieverIndex { get; set; }
    public int QuestionCount { get; set; }
    public int PublicCount { get; set; }
    public int PrivateCount { get; set; }
    public DateTime CreatedAt { get; set; }
    public List<EvaluationQuestion> Questions { get; set; } = [];
}

/// <summary>One question of an evaluation set.</summary>
public sealed class EvaluationQuestion
{
    public long Id { get; set; }
    public long EvaluationSetId { get; set; }
    /// <summary>The question's id in the uploaded file (unique within the set).</summary>
    public required string QuestionId { get; set; }
    /// <summary>Position in the uploaded file (0-based); jobs run questions in this order.</summary>
    public int Ordinal { get; set; }
    public required string Text { get; set; }
    /// <summary>Gold paragraph, when the file had one (SQuAD/KorQuAD JSON, or JSONL with "context").</summary>
    public string? Context { get; set; }
    public string? Title { get; set; }
    /// <summary>Gold answers as JSON (<see cref="Mrc.Core.Data.GoldAnswersJson"/>): texts with their answer_start when the file gave one.</summary>
    public required string AnswersJson { get; set; }
    public bool IsPrivate { get; set; }
    public EvaluationSet? EvaluationSet { get; set; }
}

/// <summary>A competition team; authenticates with an API token of which only the SHA-256 is kept.</summary>
public sealed class Team
{
    public long Id { get; set; }
    public required string Name { get; set; }
    /// <summary>Lowercase hex SHA-256 of the API token.</summary>
    public required string TokenHash { get; set; }
    /// <summary>When the token stops working; null for never.</summary>
    public DateTime? TokenExpiresAt { get; set; }
    public DateTime CreatedAt { get; set; }
}

public enum SubmissionKind
{
    ModelRun = 1,
    PredictionsFile = 2,
}

public enum SubmissionStatus
{
    Queued = 1,
    Running = 2,
    Succeeded = 3,
    Failed = 4,
    Cancelled = 5,
}

public enum RunMode
{
    Separate = 1,
    Concat = 2,
}

/// <summary>A team's submission: a model run the server executes, or a predictions file.</summary>
public sealed class SubmissionRecord
{
    public long Id { get; set; }
    public long TeamId { get; set; }
    public long EvaluationSetId { get; set; }
    public SubmissionKind Kind { get; set; }
    public string Description { get; set; } = "";
    /// <summary>Reader model name (or the predictions file's label) and the concrete version that ran.</summary>
    public string Model { get; set; } = "";
    public string Version { get; set; } = "";
    public int TopK { get; set; }
    public float? K1 { get; set; }
    public float? B { get; set; }
    public RunMode ReadMode { get; set; } = RunMode.Separate;
    public float RetrieverWeight { get; set; }
    public SubmissionStatus Status { get; set; }
    public DateTime SubmittedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public int Completed { get; set; }
    public int Total { get; set; }
    public string Error { get; set; } = "";
    /// <summary>
    /// The leaderboard instance whose worker runs this model run (<see cref="Evaluation.JobLeases"/>),
    /// null when none does; the lease holds until <see cref="LeaseExpiresAt"/> unless its owner renews it.
    /// </summary>
    public string? LeaseOwner { get; set; }
    public DateTime? LeaseExpiresAt { get; set; }

    // Scores in percent, set when the submission succeeded.
    public double? AllExactMatch { get; set; }
    public double? AllF1 { get; set; }
    public double? PublicExactMatch { get; set; }
    public double? PublicF1 { get; set; }
    public double? PrivateExactMatch { get; set; }
    public double? PrivateF1 { get; set; }
    public int PublicQuestionCount { get; set; }
    public int PrivateQuestionCount { get; set; }
    public int PublicUnanswered { get; set; }
    public int PrivateUnanswered { get; set; }
    /// <summary>Share (0..1) of questions whose gold passage was retrieved; model runs only.</summary>
    public double? RetrievalRecall { get; set; }
    /// <summary>Marked final by its team; the private ranking counts only final submissions (<see cref="Domain.FinalSelection"/>).</summary>
    public bool MarkedFinal { get; set; }
    /// <summary>Pinned by the admin as a baseline: shown on the leaderboard, set apart and unranked.</summary>
    public bool IsBaseline { get; set; }

    public Team? Team { get; set; }
    public EvaluationSet? EvaluationSet { get; set; }
}

/// <summary>One question's prediction in a submission. (SubmissionId, QuestionRowId) is unique.</summary>
public sealed class Prediction
{
    public long Id { get; set; }
    public long SubmissionId { get; set; }
    /// <summary>The <see cref="EvaluationQuestion"/> row this answers.</summary>
    public long QuestionRowId { get; set; }
    public string Answer { get; set; } = "";
    /// <summary>The reader's n-best answers in the one n-best format (<see cref="Mrc.Core.Pipeline.NBestJson"/>).</summary>
    public string NBestJson { get; set; } = "[]";
    /// <summary>Per-question EM (0 or 100) and F1 (0..100), as KorQuadMetrics computes them.</summary>
    public double ExactMatch { get; set; }
    public double F1 { get; set; }
    /// <summary>Whether the gold passage was retrieved (model runs only).</summary>
    public bool? RetrievalHit { get; set; }
    public RetrievalRule? RetrievalRule { get; set; }
    /// <summary>Why the question got no answer (it could not be searched, nothing was retrieved, the reader refused it); null when it was answered.</summary>
    public string? Problem { get; set; }
    public DateTime CreatedAt { get; set; }

    public EvaluationQuestion? Question { get; set; }
    public SubmissionRecord? Submission { get; set; }
}

/// <summary>One administrative action (API or browser): who did what to what, when, and how it ended.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }
    public DateTime At { get; set; }
    /// <summary>Who acted: "admin" with where from (the API's client address, or "browser").</summary>
    public required string Actor { get; set; }
    /// <summary>What was done, e.g. "set.delete", "team.rotate-token".</summary>
    public required string Action { get; set; }
    /// <summary>What it was done to: a set or team name, a submission id.</summary>
    public string Target { get; set; } = "";
    /// <summary>"ok", or the refusal's kind and message.</summary>
    public string Outcome { get; set; } = "";
}
