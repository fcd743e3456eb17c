using System.Diagnostics;
using Mrc.Cli.Load;
using Mrc.Core.Data;
using Mrc.Retrieval.Evaluation;
using Mrc.Retrieval.Indexing;
using Mrc.Retrieval.Lifecycle;
using Mrc.Retrieval.Search;

namespace Mrc.Cli.Commands;

/// <summary>What `mrc bench scale` measured on the first <see cref="Size"/> passages of a corpus.</summary>
internal sealed record ScaleMeasurement(
    int Size,
    long Passages,
    double BuildSeconds,
    long IndexBytes,
    double? PeakRssMb,
    double? PeakAnonMb,
    int Questions,
    double SingleThreadQps,
    double P50Ms,
    double P99Ms,
    double BatchQps,
    double RecallAt1,
    double RecallAtK);

/// <summary>How `mrc bench scale` searches: k, threads and queries per batch of the batch measurement, warm-up queries.</summary>
internal sealed record ScaleSearchOptions(int K, int Threads, int BatchSize, int WarmUp);

/// <summary>
/// One size of `mrc bench scale`: builds the index of the corpus's first <c>size</c> passages (each
/// line one passage, no chunking), then searches every question once on one thread (latency per
/// query) and once in batches of BatchSearch on all threads, as RetrieveBatch does.
/// </summary>
internal static class ScaleBench
{
    public static ScaleMeasurement Run(
        string corpus, int size, string indexDirectory, IndexBuildOptions options, IReadOnlyList<QuestionExample> questions,
        ScaleSearchOptions search, TextWriter log, CancellationToken cancellationToken)
    {
        // The peak of this build alone: what earlier sizes left on the heap is collected and the
        // kernel's peak reset to the resident set of now.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        bool peakIsThisBuild = PeakResidentMemory.Reset();
        var anonymous = AnonymousMemoryPeak.Start();
        var clock = Stopwatch.StartNew();
        IndexBuildResult built;
        double? peakAnonymous;
        try
        {
            built = IndexBuilder.Build(CorpusIngest.Load(corpus, size), indexDirectory, options, new BuildProgressLines(log), cancellationToken);
        }
        finally
        {
            peakAnonymous = anonymous.Stop();
        }
        double buildSeconds = clock.Elapsed.TotalSeconds;
        double? peak = peakIsThisBuild ? PeakResidentMemory.ReadMb() : null;
        long bytes = new DirectoryInfo(built.GenerationPath).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);

        using var host = IndexHost.Open(indexDirectory);
        var searcher = new PassageSearcher(host);
        var texts = questions.Select(q => q.Question).ToList();
        for (int i = 0; i < Math.Min(search.WarmUp, texts.Count); i++) TrySearch(searcher, texts[i], search.K);

        var latencies = new double[texts.Count];
        int firstHits = 0, hitsAtK = 0;
        clock.Restart();
        for (int i = 0; i < texts.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long start = Stopwatch.GetTimestamp();
            var hits = TrySearch(searcher, texts[i], search.K);
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            int rank = hits is null ? 0 : RetrievalEvaluator.FirstHitRank(hits, questions[i]);
            if (rank == 1) firstHits++;
            if (rank >= 1) hitsAtK++;
        }
        double singleQps = texts.Count / clock.Elapsed.TotalSeconds;
        Array.Sort(latencies);

        clock.Restart();
        for (int i = 0; i < texts.Count; i += search.BatchSize)
        {
            var batch = texts.GetRange(i, Math.Min(search.BatchSize, texts.Count - i));
            try
            {
                searcher.BatchSearch(batch, search.K, search.Threads, cancellationToken: cancellationToken);
            }
            catch (QueryHasNoTermsException)
            {
                // A question of symbols only: it is timed like any other, as in `mrc bench retrieval`.
            }
        }
        double batchQps = texts.Count / clock.Elapsed.TotalSeconds;

        return new ScaleMeasurement(
            size, built.Metadata.PassageCount, buildSeconds, bytes, peak, peakAnonymous, texts.Count, singleQps,
            Percentile(latencies, 0.50), Percentile(latencies, 0.99), batchQps,
            (double)firstHits / texts.Count, (double)hitsAtK / texts.Count);
    }

    static IReadOnlyList<SearchHit>? TrySearch(PassageSearcher searcher, string query, int k)
    {
        try
        {
            return searcher.Search(query, k).Hits;
        }
        catch (QueryHasNoTermsException)
        {
            return null;
        }
    }

    /// <summary>The nearest-rank percentile of sorted values.</summary>
    internal static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
