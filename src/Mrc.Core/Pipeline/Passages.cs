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

/// <summary>How many passages to retrieve per question and the BM25 parameters (null: the retriever's defaults).</summary>
public sealed record RetrievalSettings(int TopK, float? K1 = null, float? B = null);

/// <summary>A retriever the pipeline can use: in-process over an index, or a RetrieverService over gRPC.</summary>
public interface IPassageRetriever
{
    /// <summary>
    /// The top passages for each question, best first, one list per question in order. A question with
    /// no searchable words gets an empty list.
    /// </summary>
    Task<IReadOnlyList<IReadOnlyList<RetrievedPassage>>> RetrieveBatchAsync(
        IReadOnlyList<string> questions, RetrievalSettings settings, CancellationToken cancellationToken);
}
