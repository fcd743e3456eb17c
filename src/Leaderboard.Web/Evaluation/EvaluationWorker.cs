using Mrc.Leaderboard.Data;
using Microsoft.EntityFrameworkCore;

namespace Mrc.Leaderboard.Evaluation;

/// <summary>
/// Runs queued model runs one at a time. At start it picks up every submission still queued or
/// running in the database, so a job interrupted by a crash or restart resumes where it stopped.
/// </summary>
public sealed class EvaluationWorker(
    IDbContextFactory<LeaderboardDbContext> dbFactory,
    EvaluationInbox queue,
    EvaluationJobRunner runner,
    ILogger<EvaluationWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using (var db = await dbFactory.CreateDbContextAsync(stoppingToken))
        {
            var pending = await db.Submissions
                .Where(s => s.Kind == SubmissionKind.ModelRun
                            && (s.Status == SubmissionStatus.Queued || s.Status == SubmissionStatus.Running))
                .OrderBy(s => s.Id).Select(s => s.Id).ToListAsync(stoppingToken);
            if (pending.Count > 0) Log.Resuming(logger, pending.Count);
            foreach (var id in pending) queue.Enqueue(id);
        }

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
        }
    }
}
