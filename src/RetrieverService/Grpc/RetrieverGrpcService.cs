using Grpc.Core;
using Microsoft.Extensions.Options;
using Mrc.Contracts.V1;
using Mrc.Retrieval.Elasticsearch;
using Mrc.Retrieval.Lifecycle;
using Mrc.Retrieval.Search;
using Mrc.Retriever.Indexes;

namespace Mrc.Retriever.Grpc;

/// <summary>
/// mrc.v1.Retriever: validates the request, picks the named index, searches it, maps the result
/// back. The same for every backend; the domain's expected failures become statuses in
/// <see cref="RetrieverErrors"/>.
/// </summary>
public sealed class RetrieverGrpcService(ServedIndexes indexes, IOptions<RetrieverOptions> options) : Contracts.V1.Retriever.RetrieverBase
{
    public override async Task<RetrieveResponse> Retrieve(RetrieveRequest request, ServerCallContext context)
    {
        var limits = options.Value;
        var index = indexes.Get(request.Index).Index;
        RequestValidation.Query(request.Query, limits, "query");
        int k = RequestValidation.TopK(request.TopK, limits);
        var description = await index.DescribeAsync(context.CancellationToken);
        var scoring = RequestValidation.Scoring(request.Options, description.Scoring);
        var result = await index.SearchAsync(request.Query, k, scoring, context.CancellationToken);
        return ProtoMapping.ToResponse(result);
    }

    public override async Task<RetrieveBatchResponse> RetrieveBatch(RetrieveBatchRequest request, ServerCallContext context)
    {
        var limits = options.Value;
        var index = indexes.Get(request.Index).Index;
        RequestValidation.BatchSize(request.Queries.Count, limits);
        for (int i = 0; i < request.Queries.Count; i++)
            RequestValidation.Query(request.Queries[i], limits, $"queries[{i}]");
        int k = RequestValidation.TopK(request.TopK, limits);
        var description = await index.DescribeAsync(context.CancellationToken);
        var scoring = RequestValidation.Scoring(request.Options, description.Scoring);
        var results = await index.BatchSearchAsync(request.Queries, k, scoring, context.CancellationToken);
        var response = new RetrieveBatchResponse();
        foreach (var result in results) response.Results.Add(ProtoMapping.ToResponse(result));
        return response;
    }

    public override async Task<IndexInfo> GetIndexInfo(GetIndexInfoRequest request, ServerCallContext context)
    {
        var index = indexes.Get(request.Index);
        var description = await index.Index.DescribeAsync(context.CancellationToken);
        return ProtoMapping.ToIndexInfo(index, description, options.Value);
    }

    public override async Task<ListIndexesResponse> ListIndexes(ListIndexesRequest request, ServerCallContext context)
    {
        var response = new ListIndexesResponse();
        foreach (var index in indexes.All)
        {
            var entry = new IndexEntry { Name = index.Name, IsDefault = index.IsDefault };
            try
            {
                entry.Info = ProtoMapping.ToIndexInfo(index, await index.Index.DescribeAsync(context.CancellationToken), options.Value);
            }
            catch (Exception e) when (e is IndexUnavailableException or SearchServerUnavailableException or ElasticsearchRequestException)
            {
                entry.UnavailableReason = e.Message;
            }
            response.Indexes.Add(entry);
        }
        return response;
    }
}
