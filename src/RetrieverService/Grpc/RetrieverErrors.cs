using Grpc.Core;
using Mrc.Retrieval.Elasticsearch;
using Mrc.Retrieval.Lifecycle;
using Mrc.Retrieval.Search;
using Mrc.Retriever.Indexes;
using MrcGrpc.ServiceDefaults.Grpc;

namespace Mrc.Retriever.Grpc;

/// <summary>The retriever's expected failures and the status that tells the client what to do.</summary>
public sealed class RetrieverErrors : IRpcErrorMap
{
    public Status? Map(Exception exception) => exception switch
    {
        // No index yet, or one that cannot be opened: an operator must build or fix it.
        IndexUnavailableException => new Status(StatusCode.FailedPrecondition, exception.Message),
        // A request named an index this service does not have: the message lists those it has.
        UnknownIndexException => new Status(StatusCode.NotFound, exception.Message),
        // A query of stop characters only: the caller must send words.
        QueryHasNoTermsException => new Status(StatusCode.InvalidArgument, exception.Message),
        // Per-request k1/b on an engine that fixes them at build time: the caller must leave them unset.
        ScoringNotSupportedException => new Status(StatusCode.InvalidArgument, exception.Message),
        // The search server (Elasticsearch) does not answer: worth retrying later.
        SearchServerUnavailableException => new Status(StatusCode.Unavailable, exception.Message),
        // Elasticsearch refused a request of ours (an index changed by hand, say): nothing the caller can fix; the reason is in the message.
        ElasticsearchRequestException => new Status(StatusCode.Internal, exception.Message),
        _ => null,
    };
}
