namespace Mrc.Core.Pipeline;

/// <summary>
/// A passage the retriever returned for a question. <see cref="Text"/> is exactly the source document's
/// text between <see cref="StartChar"/> and <see cref="EndChar"/> (UTF-16 indices of the document, as
/// the index stores them; the passage is never prefixed with its title).
/// </summary>
public sealed record RetrievedPassage(
    string Id,
    string DocumentId,
    string Title,
    string Text,
    float Score,
    int Rank,
    int StartChar,
    int EndChar);

/// <summary>How many passages to retrieve per question, the BM25 parameters (null: the retriever's defaults) and which index.</summary>
/// <param name="Index">
/// The named index of a RetrieverService to search (its ListIndexes names); null or empty: the
/// service's default index. An in-process retriever is opened over one index and has no names.
/// </param>
public sealed record RetrievalSettings(int TopK, float? K1 = null, float? B = null, string? Index = null);

/// <summary>What the retriever gave one question: its passages, best first, or none and why.</summary>
/// <param name="Passages">The passages, best first; empty when none matched or the question could not be searched.</param>
/// <param name="Problem">Why the question could not be searched (no searchable words, too long), or null.</param>
public sealed record QuestionPassages(IReadOnlyList<RetrievedPassage> Passages, string? Problem = null);

/// <summary>A retriever the pipeline can use: in-process over an index, or a RetrieverService over gRPC.</summary>
public interface IPassageRetriever
{
    /// <summary>
    /// The top passages for each question, one entry per question in order. A question that cannot be
    /// searched gets no passage and its problem; it never fails the others.
    /// </summary>
    Task<IReadOnlyList<QuestionPassages>> RetrieveBatchAsync(
        IReadOnlyList<string> questions, RetrievalSettings settings, CancellationToken cancellationToken);
}
