using Mrc.Retriever.Indexing;

namespace Mrc.Retriever.Search;

/// <summary>A retrieved passage with its score and 1-based rank.</summary>
public sealed record SearchHit(Passage Passage, float Score, int Rank);

/// <summary>The hits for one query, best first, and how many passages matched at all.</summary>
public sealed record SearchResult(IReadOnlyList<SearchHit> Hits, long TotalHits);

/// <summary>A query that the index's analyzer reduces to no token at all (only punctuation or stop words).</summary>
public sealed class QueryHasNoTermsException(string analyzer)
    : ArgumentException($"The query has no searchable words for the '{analyzer}' analyzer: ask with words, not only punctuation or symbols.")
{
    public string Analyzer { get; } = analyzer;
}
