using System.Collections.Concurrent;

namespace Mrc.Leaderboard.Evaluation;

/// <summary>Cancellation of running jobs, by submission id.</summary>
public sealed class RunningJobs
{
    readonly ConcurrentDictionary<long, CancellationTokenSource> running = new();

    public void Register(long submissionId, CancellationTokenSource cancellation) => running[submissionId] = cancellation;

    public void Unregister(long submissionId) => running.TryRemove(submissionId, out _);

    public void Cancel(long submissionId)
    {
        if (running.TryGetValue(submissionId, out var cancellation)) cancellation.Cancel();
    }
}
