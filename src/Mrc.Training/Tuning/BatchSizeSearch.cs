namespace Mrc.Training.Tuning;

/// <summary>One batch size tried: whether it fitted, the memory it took, and its speed.</summary>
public sealed record BatchTrial(int BatchSize, bool Fits, double MemoryMb, double WindowsPerSecond, string? Failure = null);

/// <summary>The largest batch size that fitted (null: not even the first), and every size tried in order.</summary>
public sealed record BatchSizeResult(int? Largest, IReadOnlyList<BatchTrial> Trials);

/// <summary>
/// The largest batch that fits: double from the start size until a size does not fit (or the
/// maximum is reached), then bisect between the last size that fitted and the first that did not,
/// as Lightning's batch-size finder does in its binsearch mode.
/// </summary>
public static class BatchSizeSearch
{
    public static BatchSizeResult Find(Func<int, BatchTrial> tryBatch, int start = 1, int max = 1024,
        Action<BatchTrial>? onTrial = null, CancellationToken cancellation = default)
    {
        if (start < 1 || max < start) throw new ArgumentException("batch sizes need 1 <= start <= max");
        var trials = new List<BatchTrial>();
        bool Fits(int size)
        {
            cancellation.ThrowIfCancellationRequested();
            var trial = tryBatch(size);
            trials.Add(trial);
            onTrial?.Invoke(trial);
            return trial.Fits;
        }

        int? fitted = null;
        int size = start;
        while (true)
        {
            if (!Fits(size)) break;
            fitted = size;
            if (size == max) return new BatchSizeResult(max, trials);
            size = (int)Math.Min((long)size * 2, max);
        }
        if (fitted is null) return new BatchSizeResult(null, trials);

        int low = fitted.Value, high = size; // low fits, high does not
        while (high - low > 1)
        {
            int middle = low + (high - low) / 2;
            if (Fits(middle)) low = middle;
            else high = middle;
        }
        return new BatchSizeResult(low, trials);
    }
}
