namespace Mrc.Cli.Load;

/// <summary>
/// The highest anonymous resident memory (RssAnon in /proc/self/status, Linux: heaps and native
/// allocations, without the pages of mapped files) of this process while it runs, sampled every
/// 100 ms. The peak resident set (VmHWM) also counts the index files Lucene maps to read them, which
/// grow with the index by design; this is the part that says whether building holds the corpus.
/// </summary>
internal sealed class AnonymousMemoryPeak
{
    static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    volatile bool running = true;
    readonly Thread sampler;
    double peak;

    AnonymousMemoryPeak()
    {
        peak = ReadMb() ?? double.NaN;
        sampler = new Thread(Sample) { IsBackground = true, Name = "RssAnon sampler" };
        if (!double.IsNaN(peak)) sampler.Start();
    }

    /// <summary>Starts sampling now.</summary>
    public static AnonymousMemoryPeak Start() => new();

    void Sample()
    {
        while (running)
        {
            Thread.Sleep(Interval);
            if (ReadMb() is { } mb && mb > Volatile.Read(ref peak)) Volatile.Write(ref peak, mb);
        }
    }

    /// <summary>Stops sampling and gives the peak in MB (1 MB = 1,048,576 bytes), or null without /proc.</summary>
    public double? Stop()
    {
        if (running)
        {
            running = false;
            if (sampler.IsAlive) sampler.Join();
            if (ReadMb() is { } last && last > peak) peak = last;
        }
        return double.IsNaN(peak) ? null : peak;
    }

    static double? ReadMb() => ProcStatus.ReadMb("self", "RssAnon");
}
