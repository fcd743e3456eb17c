using System.Diagnostics.CodeAnalysis;
using Grpc.Core;
using Mrc.Retriever.Lifecycle;
using Mrc.Retriever.Search;

namespace Mrc.Retriever.Grpc;

/// <summary>Raises the gRPC status a client can act on, with a message that says what to change.</summary>
internal static class RpcErrors
{
    [DoesNotReturn]
    public static void InvalidArgument(string message) => throw new RpcException(new Status(StatusCode.InvalidArgument, message));

    [DoesNotReturn]
    public static void ResourceExhausted(string message) => throw new RpcException(new Status(StatusCode.ResourceExhausted, message));

    [DoesNotReturn]
    public static void FailedPrecondition(string message) => throw new RpcException(new Status(StatusCode.FailedPrecondition, message));

    /// <summary>The status for a failure the domain expects (no index, a query with no words); null for anything else.</summary>
    public static RpcException? FromDomain(Exception exception) => exception switch
    {
        IndexUnavailableException => new RpcException(new Status(StatusCode.FailedPrecondition, exception.Message)),
        QueryHasNoTermsException => new RpcException(new Status(StatusCode.InvalidArgument, exception.Message)),
        _ => null,
    };
}
