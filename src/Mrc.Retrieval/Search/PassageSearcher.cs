using Lucene.Net.Search;
using Mrc.Retrieval.Analysis;
using Mrc.Retrieval.Indexing;
using Mrc.Retrieval.Lifecycle;

namespace Mrc.Retrieval.Search;

/// <summary>
/// Searches an index the way Pyserini's LuceneSearcher does: <see cref="Search"/> for one query,
/// <see cref="BatchSearch"/> for many in parallel, <see cref="SetBm25"/> for the default scoring. Every call may also pass its own <see cref="ScoringSettings"/>. Thread-safe.
/// Without <paramref name="defaults"/> or <see cref="SetBm25"/>, a search scores as the index's settings say.
/// </summary>
public sealed class PassageSearcher(IndexHost index, ScoringSettings? defaults = null)
{
    ScoringSettings? defaults = defaults;

    public IndexHost Index { get; } = index;

    /// <summary>
    /// Indexes of at least this many passages are searched by <see cref="MaxScoreSearch"/> (same
    /// passages, far fewer scored; total hits then a lower bound); smaller ones exhaustively, which
    /// is faster there and counts total hits exactly. 0 always prunes, <see cref="int.MaxValue"/> never.
    /// </summary>
    public int MaxScoreFrom { get; init; } = DefaultMaxScoreFrom;

    /// <summary>The passage count from which searches prune by default (docs/retrieval.md, "At corpus scale").</summary>
    public const int DefaultMaxScoreFrom = 50_000;

    /// <summary>Whether searches of the current generation prune (BM25 queries of term clauses, as every question makes).</summary>
    public bool Prunes
    {
        get
        {
            using var lease = Index.Acquire();
            return Prune(lease.Searcher.IndexReader, MaxScoreFrom);
        }
    }

    static bool Prune(Lucene.Net.Index.IndexReader reader, int maxScoreFrom) => reader.MaxDoc >= maxScoreFrom;

    /// <summary>Scoring used when a call passes none: the one set here, else that of the generation being searched.</summary>
    public ScoringSettings Defaults
    {
        get
        {
            var set = Volatile.Read(ref defaults);
            if (set is not null) return set;
            using var lease = Index.Acquire();
            return lease.Index.Scoring;
        }
    }

    public void SetBm25(float k1, float b)
    {
        if (!ScoringSettings.K1InRange(k1) || !ScoringSettings.BInRange(b))
            throw new ArgumentOutOfRangeException(nameof(k1), FormattableString.Invariant($"k1 must be in [{ScoringSettings.MinK1}, {ScoringSettings.MaxK1}] and b in [{ScoringSettings.MinB}, {ScoringSettings.MaxB}]; got k1={k1}, b={b}."));
        Volatile.Write(ref defaults, new ScoringSettings(SimilarityKind.Bm25, k1, b));
    }

    /// <summary>The top <paramref name="k"/> passages for <paramref name="query"/>, best first.</summary>
    public SearchResult Search(string query, int k = 10, ScoringSettings? scoring = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        using var lease = Index.Acquire();
        return Search(lease, query, k, scoring ?? Volatile.Read(ref defaults) ?? lease.Index.Scoring, MaxScoreFrom);
    }

    /// <summary>
    /// The top <paramref name="k"/> passages for each query, searched on up to <paramref name="threads"/>
    /// threads; results are in the order of <paramref name="queries"/>. All queries see the same
    /// index generation, even if a new one is swapped in meanwhile.
    /// </summary>
    public IReadOnlyList<SearchResult> BatchSearch(
        IReadOnlyList<string> queries, int k = 10, int threads = 1, ScoringSettings? scoring = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        var results = new SearchResult[queries.Count];
        using var lease = Index.Acquire();
        var settings = scoring ?? Volatile.Read(ref defaults) ?? lease.Index.Scoring;
        var leased = lease;
        try
        {
            Parallel.For(0, queries.Count,
                new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellationToken },
                i => results[i] = Search(leased, queries[i], k, settings, MaxScoreFrom));
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // Callers handle the same exceptions as from Search, not Parallel's wrapper.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
        return results;
    }

    static SearchResult Search(SearcherLease lease, string query, int k, ScoringSettings scoring, int maxScoreFrom)
    {
        ArgumentNullException.ThrowIfNull(query);
        var handle = lease.Index;
        var luceneQuery = QueryBuilder.Build(handle.Analyzer, query, handle.Settings) ?? throw new QueryHasNoTermsException(handle.Metadata.Analyzer);
        var searcher = SearcherFor(lease, scoring);
        bool prune = Prune(searcher.IndexReader, maxScoreFrom) && MaxScoreSearch.Applies(luceneQuery, scoring);
        var top = prune ? MaxScoreSearch.Search(searcher, luceneQuery, scoring, k) : searcher.Search(luceneQuery, k);
        var hits = new SearchHit[top.ScoreDocs.Length];
        for (int i = 0; i < hits.Length; i++)
        {
            var scoreDoc = top.ScoreDocs[i];
            hits[i] = new SearchHit(handle.Passage(searcher, scoreDoc.Doc), scoreDoc.Score, i + 1);
        }
        return new SearchResult(hits, top.TotalHits, TotalHitsIsLowerBound: prune);
    }

    /// <summary>
    /// The managed searcher already carries the server's default similarity; a request with other
    /// settings gets a light IndexSearcher of its own over the same reader (no files reopened).
    /// </summary>
    static IndexSearcher SearcherFor(SearcherLease lease, ScoringSettings scoring) =>
        scoring == lease.Index.Scoring
            ? lease.Searcher
            : new IndexSearcher(lease.Searcher.IndexReader) { Similarity = scoring.CreateSimilarity() };
}
