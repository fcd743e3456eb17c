using Mrc.Contracts.V1;
using Mrc.Retrieval.Indexing;
using Mrc.Retrieval.Search;

namespace Mrc.Retriever.Grpc;

/// <summary>Domain results to protobuf messages.</summary>
internal static class ProtoMapping
{
    public static RetrieveResponse ToResponse(SearchResult result)
    {
        var response = new RetrieveResponse { TotalHits = result.TotalHits };
        foreach (var hit in result.Hits)
            response.Passages.Add(new Passage
            {
                Id = hit.Passage.Id,
                DocumentId = hit.Passage.DocumentId,
                Title = hit.Passage.Title,
                Text = hit.Passage.Text,
                Score = hit.Score,
                Rank = hit.Rank,
                StartChar = hit.Passage.StartChar,
                EndChar = hit.Passage.EndChar,
            });
        return response;
    }

    public static IndexInfo ToIndexInfo(IndexMetadata metadata, RetrieverOptions options) => new()
    {
        CorpusSource = metadata.CorpusSource,
        CorpusSha256 = metadata.CorpusSha256,
        Analyzer = metadata.Analyzer,
        DocumentCount = metadata.DocumentCount,
        PassageCount = metadata.PassageCount,
        DuplicatesSkipped = metadata.DuplicatesSkipped,
        ChunkSize = metadata.ChunkSize,
        ChunkOverlap = metadata.ChunkOverlap,
        TitlePrefix = metadata.TitlePrefix,
        BuiltAt = metadata.BuiltAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
        DefaultK1 = options.K1,
        DefaultB = options.B,
        DefaultSimilarity = options.Similarity == SimilarityKind.Tfidf ? Similarity.Tfidf : Similarity.Bm25,
        MaxTopK = options.MaxTopK,
        MaxBatchSize = options.MaxBatchSize,
    };
}
