namespace Mrc.Leaderboard.Evaluation;

/// <summary>The evaluation worker's log messages (source-generated).</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Warning, "Submission {SubmissionId}: this instance lost its lease (another instance holds the run now); stopping without touching it")]
    public static partial void LeaseLost(ILogger logger, long submissionId);

    [LoggerMessage(2, LogLevel.Information, "Stopping with submission {SubmissionId} unfinished; its lease is released and any instance resumes it")]
    public static partial void StoppingUnfinished(ILogger logger, long submissionId);

    [LoggerMessage(3, LogLevel.Information, "Submission {SubmissionId}: resuming with {Completed} of {Total} questions already predicted")]
    public static partial void ResumingJob(ILogger logger, long submissionId, int completed, int total);

    [LoggerMessage(4, LogLevel.Information, "Submission {SubmissionId} cancelled after {Completed} questions")]
    public static partial void Cancelled(ILogger logger, long submissionId, int completed);

    [LoggerMessage(5, LogLevel.Information, "Submission {SubmissionId} succeeded: EM {ExactMatch:F2}, F1 {F1:F2}")]
    public static partial void Succeeded(ILogger logger, long submissionId, double exactMatch, double f1);

    [LoggerMessage(6, LogLevel.Warning, "Submission {SubmissionId} failed after {Completed} questions: {Reason}")]
    public static partial void Failed(ILogger logger, long submissionId, int completed, string reason);

    [LoggerMessage(7, LogLevel.Error, "Submission {SubmissionId} interrupted (0: claiming a run); looking again in {Delay}")]
    public static partial void JobInterrupted(ILogger logger, Exception exception, long submissionId, TimeSpan delay);

    [LoggerMessage(8, LogLevel.Warning, "Submission {SubmissionId}: the lease could not be renewed before it expired ({Reason}); stopping so that another instance may take the run")]
    public static partial void LeaseExpired(ILogger logger, long submissionId, string reason);
}
