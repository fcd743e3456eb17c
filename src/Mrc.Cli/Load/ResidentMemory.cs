using System.Globalization;

namespace Mrc.Cli.Load;

/// <summary>Resident memory of one process across a run: at the start, the highest sample, at the end.</summary>
internal sealed record MemorySummary(int ProcessId, double StartMb, double MaxMb, double EndMb, int Samples);

/// <summary>
/// Samples a process's resident set (VmRSS in /proc/PID/status, Linux) every half second while a run
/// goes on. A process that cannot be read (gone, another user's, no /proc) is an error at the start,
/// so that a wrong --pid is said at once rather than after the run.
/// </summary>
internal sealed class ResidentMemory : IAsyncDisposable
{
    static readonly TimeSpan Interval = TimeSpan.FromSeconds(0.5);
    readonly int processId;
    readonly List<double> samples = [];
    readonly CancellationTokenSource stop = new();
    readonly Task sampling;

    ResidentMemory(int processId)
    {
        this.processId = processId;
        samples.Add(ReadMb(processId) ?? throw new ArgumentException(
            $"--pid {processId}: /proc/{processId}/status cannot be read (no such process, or no /proc on this system)."));
        sampling = SampleAsync();
    }

    public static ResidentMemory Start(int processId) => new(processId);

    async Task SampleAsync()
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop.Token))
                if (ReadMb(processId) is { } mb) lock (samples) samples.Add(mb);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Stops sampling, takes a last sample and summarises.</summary>
    public async Task<MemorySummary> StopAsync()
    {
        await stop.CancelAsync();
        await sampling;
        lock (samples)
        {
            if (ReadMb(processId) is { } last) samples.Add(last);
            return new MemorySummary(processId, samples[0], samples.Max(), samples[^1], samples.Count);
        }
    }

    /// <summary>VmRSS in MB (1 MB = 1,048,576 bytes), or null when the process cannot be read.</summary>
    internal static double? ReadMb(int processId) => ProcStatus.ReadMb(processId.ToString(CultureInfo.InvariantCulture), "VmRSS");

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await sampling;
        stop.Dispose();
    }
}
