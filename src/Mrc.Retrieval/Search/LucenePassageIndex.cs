using Mrc.Retrieval.Lifecycle;

namespace Mrc.Retrieval.Search;

/// <summary>
/// An index folder written by <c>mrc index build</c>, searched in-process with Lucene.Net: the
/// <see cref="IndexHost"/> keeps its live generation open, the <see cref="PassageSearcher"/> searches it.
/// Lucene is synchronous; the tasks complete before they are returned.
/// </summary>
public sealed class LucenePassageIndex(IndexHost host, int batchThreads, int maxScoreFrom = PassageSearcher.DefaultMaxScoreFrom) : IPassageIndex
{
    readonly PassageSearcher searcher = new(host) { MaxScoreFrom = maxScoreFrom };

    public string Location => host.IndexDirectory;

    public Task<IndexDescription> DescribeAsync(CancellationToken cancellationToken = default)
    {
        using var lease = host.Acquire();
        return Task.FromResult(new IndexDescription(lease.Index.Metadata, lease.Index.Settings, lease.Index.Scoring));
    }

    public Task<SearchResult> SearchAsync(string query, int k, ScoringSettings scoring, CancellationToken cancellationToken = default) =>
        Task.FromResult(searcher.Search(query, k, scoring));

    public Task<IReadOnlyList<SearchResult>> BatchSearchAsync(IReadOnlyList<string> queries, int k, ScoringSettings scoring, CancellationToken cancellationToken = default) =>
        Task.FromResult(searcher.BatchSearch(queries, k, batchThreads, scoring, cancellationToken));

    public Task<bool> ReloadAsync(CancellationToken cancellationToken = default) => Task.FromResult(host.Reload());

    public void Dispose() => host.Dispose();
}
