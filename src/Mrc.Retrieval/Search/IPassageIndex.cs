using Mrc.Retrieval.Indexing;
using Mrc.Retrieval.Settings;

namespace Mrc.Retrieval.Search;

/// <summary>What a served index holds (its build's metadata), how it analyses text, and the scoring searches use when a request sets none.</summary>
public sealed record IndexDescription(IndexMetadata Metadata, IndexSettings Settings, ScoringSettings Scoring);

/// <summary>
/// One index the retriever service searches, whatever engine holds it: a Lucene index folder
/// (<see cref="LucenePassageIndex"/>) or an Elasticsearch alias
/// (<see cref="Elasticsearch.ElasticsearchPassageIndex"/>). Both answer the same calls with the same
/// failures: <see cref="Lifecycle.IndexUnavailableException"/> when nothing has been built there yet,
/// <see cref="SearchServerUnavailableException"/> when the engine cannot be reached,
/// <see cref="QueryHasNoTermsException"/> for a query without a searchable word, and
/// <see cref="ScoringNotSupportedException"/> for scoring the engine cannot apply per request.
/// </summary>
public interface IPassageIndex : IDisposable
{
    /// <summary>Where the index lives, for logs and messages: a folder, or an alias on a server.</summary>
    string Location { get; }

    /// <summary>The live index's metadata, settings and default scoring.</summary>
    Task<IndexDescription> DescribeAsync(CancellationToken cancellationToken = default);

    /// <summary>The top <paramref name="k"/> passages for <paramref name="query"/>, best first.</summary>
    Task<SearchResult> SearchAsync(string query, int k, ScoringSettings scoring, CancellationToken cancellationToken = default);

    /// <summary>The top <paramref name="k"/> passages of each query, in the order of <paramref name="queries"/>, all from the same live index.</summary>
    Task<IReadOnlyList<SearchResult>> BatchSearchAsync(IReadOnlyList<string> queries, int k, ScoringSettings scoring, CancellationToken cancellationToken = default);

    /// <summary>Swaps in a newly published build, if there is one; true when it did.</summary>
    Task<bool> ReloadAsync(CancellationToken cancellationToken = default);
}

/// <summary>The search server behind an index cannot be reached, or answered with a server error: worth retrying later.</summary>
public sealed class SearchServerUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A request asked for scoring the index's engine cannot apply to one search (Elasticsearch fixes BM25 k1/b in the index mapping).</summary>
public sealed class ScoringNotSupportedException(string message) : ArgumentException(message);
