using Grpc.Core;
using Microsoft.Extensions.Options;
using Mrc.Contracts.V1;
using Mrc.Retrieval.Lifecycle;
using Mrc.Retriever.Indexes;

namespace Mrc.Retriever.Grpc;

/// <summary>
/// mrc.v1.Retriever: validates the request, picks the named index, calls its searcher, maps the
/// result back. The domain's expected failures become statuses in <see cref="RetrieverErrors"/>.
/// </summary>
public sealed class RetrieverGrpcService(ServedIndexes indexes, IOptions<RetrieverOptions> options) : Contracts.V1.Retriever.RetrieverBase
{
    public override Task<RetrieveResponse> Retrieve(RetrieveRequest request, ServerCallContext context)
    {
        var limits = options.Value;
        var searcher = indexes.Get(request.Index).Searcher;
        RequestValidation.Query(request.Query, limits, "query");
        int k = RequestValidation.TopK(request.TopK, limits);
        var scoring = RequestValidation.Scoring(request.Options, searcher.Defaults);
        var result = searcher.Search(request.Query, k, scoring);
        return Task.FromResult(ProtoMapping.ToResponse(result));
    }

    public override Task<RetrieveBatchResponse> RetrieveBatch(RetrieveBatchRequest request, ServerCallContext context)
    {
        var limits = options.Value;
        var searcher = indexes.Get(request.Index).Searcher;
        RequestValidation.BatchSize(request.Queries.Count, limits);
        for (int i = 0; i < request.Queries.Count; i++)
            RequestValidation.Query(request.Queries[i], limits, $"queries[{i}]");
        int k = RequestValidation.TopK(request.TopK, limits);
        var scoring = RequestValidation.Scoring(request.Options, searcher.Defaults);
        var results = searcher.BatchSearch(request.Queries, k, limits.BatchParallelism, scoring, context.CancellationToken);
        var response = new RetrieveBatchResponse();
        foreach (var result in results) response.Results.Add(ProtoMapping.ToResponse(result));
        return Task.FromResult(response);
    }

    public override Task<IndexInfo> GetIndexInfo(GetIndexInfoRequest request, ServerCallContext context) =>
        Task.FromResult(ProtoMapping.ToIndexInfo(indexes.Get(request.Index), options.Value));

    public override Task<ListIndexesResponse> ListIndexes(ListIndexesRequest request, ServerCallContext context)
    {
        var response = new ListIndexesResponse();
        foreach (var index in indexes.All)
        {
            var entry = new IndexEntry { Name = index.Name, IsDefault = index.IsDefault };
            try
            {
                entry.Info = ProtoMapping.ToIndexInfo(index, options.Value);
            }
            catch (IndexUnavailableException e)
            {
                entry.UnavailableReason = e.Message;
            }
            response.Indexes.Add(entry);
        }
        return Task.FromResult(response);
    }
}
