using System.Threading.Channels;

namespace Mrc.Reading.Inference;

/// <summary>Turns windows into logits, possibly together with other callers' windows.</summary>
public interface IWindowRunner : IAsyncDisposable
{
    Task<WindowLogits[]> RunAsync(IReadOnlyList<FeatureWindow> windows, CancellationToken cancellationToken);
}

/// <summary>The reader's queue is full: the caller should back off (gRPC ResourceExhausted).</summary>
public sealed class ReaderBusyException(string message) : Exception(message);

/// <summary>
/// No batching across requests: each request's windows run as their own batches, one request at a
/// time; waiting requests wait asynchronously (no thread is blocked) and leave the queue when cancelled.
/// </summary>
public sealed class DirectWindowRunner(ModelExecutor executor, int maxBatchWindows) : IWindowRunner
{
    readonly SemaphoreSlim turn = new(1, 1);

    public async Task<WindowLogits[]> RunAsync(IReadOnlyList<FeatureWindow> windows, CancellationToken cancellationToken)
    {
        await turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await Task.Run(() =>
            {
                var results = new List<WindowLogits>(windows.Count);
                foreach (var chunk in windows.Chunk(Math.Max(1, maxBatchWindows)))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    results.AddRange(executor.Run(chunk));
                }
                return results.ToArray();
            }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            turn.Release();
        }
    }

    public ValueTask DisposeAsync()
    {
        turn.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>Dynamic batching settings (see <see cref="DynamicBatcher"/>).</summary>
/// <param name="MaxBatchWindows">Most windows in one forward pass.</param>
/// <param name="MaxQueueDelay">How long the first queued window waits for company.</param>
/// <param name="MaxQueueWindows">Windows that may wait at once; more is refused (<see cref="ReaderBusyException"/>).</param>
/// <param name="LengthBucketWidth">Windows whose lengths differ by more than this run in separate passes (0 = one pass).</param>
public sealed record BatchingSettings(int MaxBatchWindows = 32, TimeSpan MaxQueueDelay = default, int MaxQueueWindows = 2048, int LengthBucketWidth = 64);

/// <summary>
/// Dynamic batching: windows from concurrent requests are queued, gathered until
/// <see cref="BatchingSettings.MaxBatchWindows"/> or <see cref="BatchingSettings.MaxQueueDelay"/>, sorted
/// by length and split into buckets of similar length (less padding), run, and their logits scattered
/// back to each caller. A cancelled caller's windows are dropped before they run; a full queue refuses
/// new work at once.
/// </summary>
public sealed class DynamicBatcher : IWindowRunner
{
    sealed record Item(FeatureWindow Window, TaskCompletionSource<WindowLogits> Result, CancellationToken CancellationToken);

    readonly ModelExecutor executor;
    readonly BatchingSettings settings;
    readonly Channel<Item> queue = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true });
    readonly Task loop;
    int pending;

    public DynamicBatcher(ModelExecutor executor, BatchingSettings settings)
    {
        this.executor = executor;
        this.settings = settings;
        loop = Task.Factory.StartNew(RunLoopAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    /// <summary>Windows queued and not yet taken into a batch.</summary>
    public int Pending => Volatile.Read(ref pending);

    /// <summary>Forward passes run so far, and the windows they held (for tests and metrics).</summary>
    public long Batches => Interlocked.Read(ref batches);

    public long BatchedWindows => Interlocked.Read(ref batchedWindows);

    long batches;
    long batchedWindows;

    public async Task<WindowLogits[]> RunAsync(IReadOnlyList<FeatureWindow> windows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(windows);
        cancellationToken.ThrowIfCancellationRequested();
        if (Interlocked.Add(ref pending, windows.Count) > settings.MaxQueueWindows)
        {
            Interlocked.Add(ref pending, -windows.Count);
            throw new ReaderBusyException($"reader queue is full ({settings.MaxQueueWindows} windows waiting); retry later.");
        }
        var items = windows.Select(w => new Item(w, new TaskCompletionSource<WindowLogits>(TaskCreationOptions.RunContinuationsAsynchronously), cancellationToken)).ToArray();
        foreach (var item in items)
        {
            if (!queue.Writer.TryWrite(item))
            {
                Interlocked.Add(ref pending, -1);
                item.Result.TrySetException(new ObjectDisposedException(nameof(DynamicBatcher)));
            }
        }
        using var registration = cancellationToken.Register(() =>
        {
            foreach (var item in items) item.Result.TrySetCanceled(cancellationToken);
        });
        return await Task.WhenAll(items.Select(i => i.Result.Task)).ConfigureAwait(false);
    }

    async Task RunLoopAsync()
    {
        var reader = queue.Reader;
        var batch = new List<Item>(settings.MaxBatchWindows);
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            var deadline = DateTime.UtcNow + settings.MaxQueueDelay;
            while (batch.Count < settings.MaxBatchWindows)
            {
                if (reader.TryRead(out var item))
                {
                    batch.Add(item);
                    continue;
                }
                var remaining = deadline - DateTime.UtcNow;
                if (remaining <= TimeSpan.Zero) break;
                using var timeout = new CancellationTokenSource(remaining);
                try
                {
                    if (!await reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false)) break;
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            Interlocked.Add(ref pending, -batch.Count);

            // Cancelled callers' windows are dropped here, before any compute is spent on them.
            var live = batch.Where(i => !i.CancellationToken.IsCancellationRequested && !i.Result.Task.IsCompleted)
                .OrderBy(i => i.Window.Length)
                .ToList();
            foreach (var bucket in Buckets(live))
            {
                try
                {
                    var logits = executor.Run(bucket.Select(i => i.Window).ToArray());
                    Interlocked.Increment(ref batches);
                    Interlocked.Add(ref batchedWindows, bucket.Count);
                    for (var k = 0; k < bucket.Count; k++) bucket[k].Result.TrySetResult(logits[k]);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    foreach (var item in bucket) item.Result.TrySetException(e);
                }
            }
        }
    }

    IEnumerable<List<Item>> Buckets(List<Item> sorted)
    {
        var bucket = new List<Item>();
        foreach (var item in sorted)
        {
            if (bucket.Count > 0 && settings.LengthBucketWidth > 0 && item.Window.Length - bucket[0].Window.Length > settings.LengthBucketWidth)
            {
                yield return bucket;
                bucket = [];
            }
            bucket.Add(item);
        }
        if (bucket.Count > 0) yield return bucket;
    }

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await loop.ConfigureAwait(false);
    }
}
