using Mrc.Leaderboard.Data;
using Microsoft.EntityFrameworkCore;

namespace Mrc.Leaderboard.Evaluation;

/// <summary>
/// Runs queued model runs one at a time. At start it picks up every submission still queued or
/// running in the database, so a job interrupted by a crash or restart resumes where it stopped.
/// Nothing a job throws ends the worker (by .NET's default that would stop the whole host): a job
/// whose database stayed unreachable is tried again after <see cref="RetryDelay"/>.
/// </summary>
public sealed class EvaluationWorker(
    IDbContextFactory<LeaderboardDbContext> dbFactory,
    EvaluationInbox queue,
    EvaluationJobRunner runner,
    ILogger<EvaluationWorker> logger) : BackgroundService
{
    /// <summary>Wait before a job that met an unreachable database is tried again.</summary>
    internal static TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!await TryEnqueuePendingAsync(stoppingToken)) await Task.Delay(RetryDelay, stoppingToken);

        await foreach (var submissionId in queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await runner.RunAsync(submissionId, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                Log.StoppingUnfinished(logger, submissionId);
                return;
            }
            catch (Exception e)
            {
                // The job stays queued or running in the database; it is picked up again later.
                Log.JobInterrupted(logger, e, submissionId, RetryDelay);
                await Task.Delay(RetryDelay, stoppingToken);
                queue.Enqueue(submissionId);
            }
        }
    }

    /// <summary>Queues every unfinished model run; false when the database could not be read (tried again later).</summary>
    async Task<bool> TryEnqueuePendingAsync(CancellationToken stoppingToken)
    {
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(stoppingToken);
            var pending = await db.Submissions
                .Where(s => s.Kind == SubmissionKind.ModelRun
                            && (s.Status == SubmissionStatus.Queued || s.Status == SubmissionStatus.Running))
                .OrderBy(s => s.Id).Select(s => s.Id).ToListAsync(stoppingToken);
            if (pending.Count > 0) Log.Resuming(logger, pending.Count);
            foreach (var id in pending) queue.Enqueue(id);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.JobInterrupted(logger, e, 0, RetryDelay);
            return false;
        }
    }
}
