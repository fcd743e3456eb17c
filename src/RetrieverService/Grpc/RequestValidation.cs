using System.Globalization;
using Mrc.Contracts.V1;
using Mrc.Retrieval.Search;
using MrcGrpc.ServiceDefaults.Grpc;

namespace Mrc.Retriever.Grpc;

/// <summary>Checks request fields against the configured limits before any search runs.</summary>
internal static class RequestValidation
{
    public static void Query(string query, RetrieverOptions limits, string field)
    {
        if (string.IsNullOrWhiteSpace(query))
            RpcErrors.InvalidArgument($"{field} is empty: send the question text.");
        if (query.Length > limits.MaxQueryChars)
            RpcErrors.InvalidArgument(string.Create(CultureInfo.InvariantCulture,
                $"{field} is {query.Length:N0} characters; the limit is {limits.MaxQueryChars:N0} (Retriever:MaxQueryChars). Send the question, not a document."));
    }

    /// <summary>The number of passages to return: top_k, or the server default for 0.</summary>
    public static int TopK(int topK, RetrieverOptions limits)
    {
        if (topK < 0 || topK > limits.MaxTopK)
            RpcErrors.InvalidArgument($"top_k must be between 1 and {limits.MaxTopK} (0 for the default {limits.DefaultTopK}), not {topK}.");
        return topK == 0 ? limits.DefaultTopK : topK;
    }

    public static void BatchSize(int count, RetrieverOptions limits)
    {
        if (count > limits.MaxBatchSize)
            RpcErrors.ResourceExhausted(
                $"The batch holds {count} queries; the limit is {limits.MaxBatchSize} (Retriever:MaxBatchSize). Split it into smaller batches.");
    }

    /// <summary>The request's scoring overrides applied over the server defaults.</summary>
    public static ScoringSettings Scoring(RetrieveOptions? options, ScoringSettings defaults)
    {
        if (options is null) return defaults;
        var similarity = options.Similarity switch
        {
            Similarity.Unspecified => defaults.Similarity,
            Similarity.Bm25 => SimilarityKind.Bm25,
            Similarity.Tfidf => SimilarityKind.Tfidf,
            _ => RpcErrors.InvalidArgument<SimilarityKind>(
                $"options.similarity {(int)options.Similarity} is unknown: use SIMILARITY_BM25, SIMILARITY_TFIDF or leave it unset."),
        };
        if (options.HasK1 && !ScoringSettings.K1InRange(options.K1))
            RpcErrors.InvalidArgument(string.Create(CultureInfo.InvariantCulture,
                $"options.k1 must be between {ScoringSettings.MinK1} and {ScoringSettings.MaxK1}, not {options.K1}; leave it unset for the server default {defaults.K1}."));
        if (options.HasB && !ScoringSettings.BInRange(options.B))
            RpcErrors.InvalidArgument(string.Create(CultureInfo.InvariantCulture,
                $"options.b must be between {ScoringSettings.MinB} and {ScoringSettings.MaxB}, not {options.B}; leave it unset for the server default {defaults.B}."));
        return new ScoringSettings(similarity, options.HasK1 ? options.K1 : defaults.K1, options.HasB ? options.B : defaults.B);
    }
}
