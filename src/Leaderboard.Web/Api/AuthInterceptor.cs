using Grpc.Core;
using Grpc.Core.Interceptors;
using Leaderboard.Web.Domain;

namespace Leaderboard.Web.Api;

/// <summary>
/// Authenticates every Leaderboard call from "authorization: Bearer &lt;token&gt;" metadata (gRPC and
/// JSON alike) and turns <see cref="LeaderboardException"/> into an <see cref="RpcException"/> with the
/// matching status code.
/// </summary>
public sealed class AuthInterceptor(TeamService teams) : Interceptor
{
    const string CallerKey = "leaderboard-caller";

    public static Caller CallerOf(ServerCallContext context) =>
        context.UserState.TryGetValue(CallerKey, out var caller) && caller is Caller c
            ? c
            : throw new RpcException(new Status(StatusCode.Unauthenticated, "Not authenticated."));

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await AuthenticateAsync(context);
            return await continuation(request, context);
        }
        catch (LeaderboardException e)
        {
            throw ToRpc(e);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await AuthenticateAsync(context);
            await continuation(request, responseStream, context);
        }
        catch (LeaderboardException e)
        {
            throw ToRpc(e);
        }
    }

    async Task AuthenticateAsync(ServerCallContext context)
    {
        // Only the Leaderboard service needs a token; health and reflection stay open.
        if (!context.Method.StartsWith("/mrc.v1.Leaderboard/", StringComparison.Ordinal)) return;
        var header = context.RequestHeaders.GetValue("authorization");
        string? token = null;
        if (header is not null)
        {
            if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
                throw new LeaderboardException(LeaderboardError.Unauthenticated, "The authorization header must be \"Bearer <token>\".");
            token = header["Bearer ".Length..];
        }
        context.UserState[CallerKey] = await teams.AuthenticateAsync(token, context.CancellationToken);
    }

    public static RpcException ToRpc(LeaderboardException e) => new(new Status(e.Error switch
    {
        LeaderboardError.InvalidArgument => StatusCode.InvalidArgument,
        LeaderboardError.NotFound => StatusCode.NotFound,
        LeaderboardError.PermissionDenied => StatusCode.PermissionDenied,
        LeaderboardError.Unauthenticated => StatusCode.Unauthenticated,
        LeaderboardError.ResourceExhausted => StatusCode.ResourceExhausted,
        LeaderboardError.FailedPrecondition => StatusCode.FailedPrecondition,
        LeaderboardError.Unavailable => StatusCode.Unavailable,
        _ => StatusCode.Unknown,
    }, e.Message));
}
