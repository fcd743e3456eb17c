using Mrc.Core.Pipeline;
using Mrc.Retrieval.Indexing;

namespace Mrc.Retrieval.Search;

/// <summary>A retrieved passage with its score and 1-based rank.</summary>
public sealed record SearchHit(IndexedPassage Passage, float Score, int Rank)
{
    /// <summary>The hit as the pipeline sees it, from any retriever.</summary>
    public RetrievedPassage ToRetrieved() =>
        new(Passage.Id, Passage.DocumentId, Passage.Title, Passage.Text, Score, Rank, Passage.StartChar, Passage.EndChar);
}

/// <summary>
/// The hits for one query, best first, and how many passages matched at all: exactly, or at least
/// that many where <paramref name="TotalHitsIsLowerBound"/> (a pruned search; see <see cref="MaxScoreSearch"/>).
/// </summary>
public sealed record SearchResult(IReadOnlyList<SearchHit> Hits, long TotalHits, bool TotalHitsIsLowerBound = false);

/// <summary>A query that the index's analyzer reduces to no token at all (only punctuation or stop words).</summary>
public sealed class QueryHasNoTermsException(string analyzer)
    : ArgumentException($"The query has no searchable words for the '{analyzer}' analyzer: ask with words, not only punctuation or symbols.")
{
    public string Analyzer { get; } = analyzer;
}
