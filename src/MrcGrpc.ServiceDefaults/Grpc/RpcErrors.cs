using System.Diagnostics.CodeAnalysis;
using Grpc.Core;

namespace MrcGrpc.ServiceDefaults.Grpc;

/// <summary>
/// The one set of throw helpers the services' request validation uses: a status a client can act on,
/// with a message that says what to change.
/// </summary>
public static class RpcErrors
{
    [DoesNotReturn]
    public static void InvalidArgument(string message) => throw new RpcException(new Status(StatusCode.InvalidArgument, message));

    [DoesNotReturn]
    public static T InvalidArgument<T>(string message) => throw new RpcException(new Status(StatusCode.InvalidArgument, message));

    [DoesNotReturn]
    public static void ResourceExhausted(string message) => throw new RpcException(new Status(StatusCode.ResourceExhausted, message));

    [DoesNotReturn]
    public static void FailedPrecondition(string message) => throw new RpcException(new Status(StatusCode.FailedPrecondition, message));
}
