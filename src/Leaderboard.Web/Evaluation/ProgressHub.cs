using System.Collections.Concurrent;
using System.Threading.Channels;
using Mrc.Leaderboard.Data;

namespace Mrc.Leaderboard.Evaluation;

/// <summary>A moment in a submission's run, as the worker reports it.</summary>
public sealed record ProgressEvent(long SubmissionId, SubmissionStatus Status, int Completed, int Total, string Error);

/// <summary>
/// Fans out the worker's progress to watchers (the browser and WatchSubmission). Watchers also
/// re-read the database now and then, so a missed event only delays an update. A submission's entry
/// goes when its last watcher does, so watching many submissions leaves nothing behind.
/// </summary>
public sealed class ProgressHub
{
    readonly ConcurrentDictionary<long, ConcurrentDictionary<Channel<ProgressEvent>, byte>> watchers = new();
    readonly Lock gate = new();

    /// <summary>Submissions with at least one watcher now.</summary>
    internal int WatchedSubmissions => watchers.Count;

    public void Publish(ProgressEvent progress)
    {
        if (!watchers.TryGetValue(progress.SubmissionId, out var channels)) return;
        foreach (var channel in channels.Keys) channel.Writer.TryWrite(progress);
    }

    /// <summary>Events for one submission from now on, until the subscription is disposed.</summary>
    public Subscription Subscribe(long submissionId)
    {
        var channel = Channel.CreateBounded<ProgressEvent>(new BoundedChannelOptions(64)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        // Adding and the last removal share a lock, so a new watcher never lands in an entry being removed.
        lock (gate) watchers.GetOrAdd(submissionId, _ => new()).TryAdd(channel, 0);
        return new Subscription(channel.Reader, () =>
        {
            lock (gate)
            {
                if (!watchers.TryGetValue(submissionId, out var channels)) return;
                channels.TryRemove(channel, out _);
                if (channels.IsEmpty) watchers.TryRemove(submissionId, out _);
            }
        });
    }

    public sealed class Subscription(ChannelReader<ProgressEvent> reader, Action unsubscribe) : IDisposable
    {
        public ChannelReader<ProgressEvent> Reader { get; } = reader;

        /// <summary>Waits for the next event or the timeout; false when only the timeout passed.</summary>
        public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timer.CancelAfter(timeout);
            try
            {
                bool any = await Reader.WaitToReadAsync(timer.Token);
                while (Reader.TryRead(out _)) { }
                return any;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return false;
            }
        }

        public void Dispose() => unsubscribe();
    }
}
