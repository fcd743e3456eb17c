using Mrc.Contracts.V1;
using Mrc.Retrieval.Search;
using Mrc.Retriever.Indexes;

namespace Mrc.Retriever.Grpc;

/// <summary>Domain results to protobuf messages.</summary>
internal static class ProtoMapping
{
    public static RetrieveResponse ToResponse(SearchResult result)
    {
        var response = new RetrieveResponse { TotalHits = result.TotalHits, TotalHitsIsLowerBound = result.TotalHitsIsLowerBound };
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

    /// <summary>What the live build of <paramref name="index"/> holds (<paramref name="description"/>), with the scoring searches use by default.</summary>
    public static IndexInfo ToIndexInfo(ServedIndex index, IndexDescription description, RetrieverOptions options)
    {
        var (metadata, settings, scoring) = description;
        return new IndexInfo
        {
            Name = index.Name,
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
            DefaultK1 = scoring.K1,
            DefaultB = scoring.B,
            DefaultSimilarity = scoring.Similarity == SimilarityKind.Tfidf ? Similarity.Tfidf : Similarity.Bm25,
            MaxTopK = options.MaxTopK,
            MaxBatchSize = options.MaxBatchSize,
            Settings = ToProto(settings),
            SettingsMismatch = index.SettingsMismatch(settings) ?? "",
        };
    }

    static IndexSettings ToProto(Retrieval.Settings.IndexSettings settings)
    {
        var proto = new IndexSettings
        {
            Analyzer = settings.Analyzer,
            TextBoost = settings.TextBoost,
            TitleBoost = settings.TitleBoost,
            K1 = settings.K1,
            B = settings.B,
        };
        proto.StopWords.AddRange(settings.StopWords);
        proto.UserDictionary.AddRange(settings.UserDictionary);
        foreach (var group in settings.Synonyms) proto.Synonyms.Add(new SynonymGroup { Words = { group } });
        return proto;
    }
}
