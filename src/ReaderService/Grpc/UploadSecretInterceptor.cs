using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Options;

namespace Mrc.Reader.Grpc;

/// <summary>
/// Lets only the holder of Reader:Uploads:Secret call mrc.v1.ModelUploads ("authorization: Bearer
/// &lt;secret&gt;"): Unauthenticated without that header or with another secret (the credentials are
/// not valid; PermissionDenied is left to mean "another team's upload"), and FailedPrecondition while no
/// secret is configured (uploads off).
/// </summary>
public sealed class UploadSecretInterceptor(IOptions<ReaderOptions> options) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Authenticate(context);
        return await continuation(request, context).ConfigureAwait(false);
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Authenticate(context);
        return await continuation(requestStream, context).ConfigureAwait(false);
    }

    void Authenticate(ServerCallContext context)
    {
        var secret = options.Value.Uploads.Secret;
        if (secret.Length == 0)
            throw new RpcException(new Status(StatusCode.FailedPrecondition, "model uploads are off on this reader (Reader:Uploads:Secret is not set)."));
        var header = context.RequestHeaders.GetValue("authorization");
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            throw new RpcException(new Status(StatusCode.Unauthenticated, "model uploads need \"authorization: Bearer <Reader:Uploads:Secret>\"."));
        // Compared as hashes in constant time: neither the length nor a prefix of the secret leaks.
        var given = SHA256.HashData(Encoding.UTF8.GetBytes(header["Bearer ".Length..]));
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(secret));
        if (!CryptographicOperations.FixedTimeEquals(given, expected))
            throw new RpcException(new Status(StatusCode.Unauthenticated, "the upload secret is wrong."));
    }
}
