using Grpc.Core;
using Grpc.Core.Interceptors;

namespace MrcGrpc.ServiceDefaults.Grpc;

/// <summary>
/// A service's one table from the exceptions its domain throws for expected refusals (no index, an
/// unknown model, a full queue, a refused submission) to the gRPC status a client can act on. Null
/// for anything else: an unexpected exception stays Unknown with no internals exposed.
/// </summary>
public interface IRpcErrorMap
{
    Status? Map(Exception exception);
}

/// <summary>
/// Applies the service's <see cref="IRpcErrorMap"/> to every call, unary and streaming alike,
/// so that gRPC service classes call the domain and never translate its exceptions themselves.
/// Registered first, so it also sees what later interceptors (authentication) throw.
/// </summary>
public sealed class RpcErrorInterceptor(IRpcErrorMap map) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not RpcException && map.Map(e) is { } status)
        {
            throw new RpcException(status);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        try
        {
            return await continuation(requestStream, context).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not RpcException && map.Map(e) is { } status)
        {
            throw new RpcException(status);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not RpcException && map.Map(e) is { } status)
        {
            throw new RpcException(status);
        }
    }
}
