using System.Threading.Channels;

namespace Mrc.Leaderboard.Evaluation;

/// <summary>Submission ids waiting for the worker. The database is the record; this only wakes the worker.</summary>
public sealed class EvaluationInbox
{
    readonly Channel<long> channel = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleReader = true });

    public void Enqueue(long submissionId) => channel.Writer.TryWrite(submissionId);

    public ChannelReader<long> Reader => channel.Reader;
}
