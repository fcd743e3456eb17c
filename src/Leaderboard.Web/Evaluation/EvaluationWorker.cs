using Microsoft.Extensions.Options;

namespace Mrc.Leaderboard.Evaluation;

/// <summary>
/// Runs model runs one at a time, claiming each from the database (<see cref="JobLeases"/>): the oldest
/// queued one, or a running one whose owner stopped renewing its lease (a crash, a killed instance, this
/// instance before a restart). So several instances on one database share the queue, and none runs a
/// run another is running. It looks when a run is submitted here and every Evaluation:PollSeconds.
/// Nothing a job throws ends the worker (by .NET's default that would stop the whole host): after a
/// database that stayed unreachable it waits <see cref="RetryDelay"/> and looks again.
/// </summary>
public sealed class EvaluationWorker(
    JobLeases leases,
    EvaluationInbox inbox,
    EvaluationJobRunner runner,
    IOptions<EvaluationOptions> options,
    ILogger<EvaluationWorker> logger) : BackgroundService
{
    /// <summary>Wait after a job or a claim met an unreachable database.</summary>
    internal static TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poll = TimeSpan.FromSeconds(options.Value.PollSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            long submissionId = 0;
            try
            {
                if (await leases.ClaimNextAsync(stoppingToken) is not { } claimed)
                {
                    await inbox.WaitAsync(poll, stoppingToken);
                    continue;
                }
                submissionId = claimed;
                await runner.RunAsync(submissionId, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                if (submissionId != 0) Log.StoppingUnfinished(logger, submissionId);
                return;
            }
            catch (Exception e)
            {
                // The run stays queued or running in the database; its lease lapses and it is claimed again.
                Log.JobInterrupted(logger, e, submissionId, RetryDelay);
                await Task.Delay(RetryDelay, stoppingToken);
            }
        }
    }
}
