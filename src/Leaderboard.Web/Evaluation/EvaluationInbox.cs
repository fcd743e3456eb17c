using System.Threading.Channels;

namespace Mrc.Leaderboard.Evaluation;

/// <summary>
/// Wakes this instance's worker when a model run was submitted here. The database is the record and
/// the worker claims runs from it (<see cref="JobLeases"/>), so this carries no work, only the news
/// that there may be some; an idle worker also looks on its own every Evaluation:PollSeconds.
/// </summary>
public sealed class EvaluationInbox
{
    readonly Channel<long> channel = Channel.CreateBounded<long>(new BoundedChannelOptions(1)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite,
    });

    public void Enqueue(long submissionId) => channel.Writer.TryWrite(submissionId);

    /// <summary>Returns when a run was submitted here since the last wait, or after <paramref name="timeout"/>.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(timeout);
        try
        {
            await channel.Reader.WaitToReadAsync(wait.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return; // the poll interval passed
        }
        while (channel.Reader.TryRead(out _))
        {
        }
    }
}
