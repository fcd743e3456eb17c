using System.Diagnostics;
using Mrc.Cli.Load;
using Mrc.Core.Data;
using Mrc.Retrieval.Evaluation;
using Mrc.Retrieval.Indexing;
using Mrc.Retrieval.Lifecycle;
using Mrc.Retrieval.Search;

namespace Mrc.Cli.Commands;

/// <summary>
/// What `mrc bench scale` measured on the first <see cref="Size"/> passages of a corpus with one way
/// of searching (<see cref="Search"/>: "maxscore" or "exhaustive", see <see cref="PassageSearcher.MaxScoreFrom"/>).
/// <see cref="TopKDiffers"/>: on a second row for the same index, the questions whose top k (ids in
/// order) differ from the first row's; null on the first.
/// </summary>
internal sealed record ScaleMeasurement(
    int Size,
    long Passages,
    double BuildSeconds,
    long IndexBytes,
    double? PeakRssMb,
    double? PeakAnonMb,
    string Search,
    int Questions,
    double SingleThreadQps,
    double P50Ms,
    double P99Ms,
    double BatchQps,
    double RecallAt1,
    double RecallAtK,
    int? TopKDiffers);

/// <summary>
/// How `mrc bench scale` searches: k, threads and queries per batch of the batch measurement,
/// warm-up queries, and whether an exhaustive search is measured too where the product prunes.
/// </summary>
internal sealed record ScaleSearchOptions(int K, int Threads, int BatchSize, int WarmUp, bool CompareExhaustive = false);

/// <summary>
/// One size of `mrc bench scale`: builds the index of the corpus's first <c>size</c> passages (each
/// line one passage, no chunking), then searches every question once on one thread (latency per
/// query) and once in batches of BatchSearch on all threads, as RetrieveBatch does; with
/// CompareExhaustive, once more without pruning where the product prunes.
/// </summary>
internal static class ScaleBench
{
    public static IReadOnlyList<ScaleMeasurement> Run(
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
        var product = new PassageSearcher(host);
        bool prunes = product.Prunes;
        var ways = new List<(string Name, PassageSearcher Searcher)> { (prunes ? "maxscore" : "exhaustive", product) };
        if (prunes && search.CompareExhaustive) ways.Add(("exhaustive", new PassageSearcher(host) { MaxScoreFrom = int.MaxValue }));
        var measurements = new List<ScaleMeasurement>();
        string[][]? firstTopK = null;
        foreach (var (name, searcher) in ways)
        {
            var searched = Search(searcher, questions, search, cancellationToken);
            int? differs = firstTopK is null ? null : Enumerable.Range(0, questions.Count).Count(i => !firstTopK[i].SequenceEqual(searched.TopK[i]));
            firstTopK ??= searched.TopK;
            measurements.Add(new ScaleMeasurement(
                size, built.Metadata.PassageCount, buildSeconds, bytes, peak, peakAnonymous, name, questions.Count,
                searched.SingleThreadQps, searched.P50Ms, searched.P99Ms, searched.BatchQps, searched.RecallAt1, searched.RecallAtK, differs));
        }
        return measurements;
    }

    sealed record Searched(double SingleThreadQps, double P50Ms, double P99Ms, double BatchQps, double RecallAt1, double RecallAtK, string[][] TopK);

    static Searched Search(PassageSearcher searcher, IReadOnlyList<QuestionExample> questions, ScaleSearchOptions search, CancellationToken cancellationToken)
    {
        var texts = questions.Select(q => q.Question).ToList();
        for (int i = 0; i < Math.Min(search.WarmUp, texts.Count); i++) TrySearch(searcher, texts[i], search.K);

        var latencies = new double[texts.Count];
        var topK = new string[texts.Count][];
        int firstHits = 0, hitsAtK = 0;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < texts.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long start = Stopwatch.GetTimestamp();
            var hits = TrySearch(searcher, texts[i], search.K);
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            topK[i] = hits is null ? [] : [.. hits.Select(h => h.Passage.Id)];
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
        return new Searched(singleQps, Percentile(latencies, 0.50), Percentile(latencies, 0.99), batchQps,
            (double)firstHits / texts.Count, (double)hitsAtK / texts.Count, topK);
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
