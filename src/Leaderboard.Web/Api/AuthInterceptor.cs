using Grpc.Core;
using Grpc.Core.Interceptors;
using Mrc.Leaderboard.Auth;
using Mrc.Leaderboard.Domain;

namespace Mrc.Leaderboard.Api;

/// <summary>
/// Authenticates every Leaderboard call from "authorization: Bearer &lt;token&gt;" metadata (gRPC and
/// JSON alike). Its refusals, like the domain's, become statuses in <see cref="LeaderboardErrors"/>.
/// A client address that keeps presenting wrong tokens is locked out for a while (<see cref="SignInThrottle"/>):
/// ResourceExhausted, HTTP 429 on the JSON API, with a Retry-After header.
/// </summary>
public sealed class AuthInterceptor(TeamService teams, SignInThrottle throttle) : Interceptor
{
    internal const string CallerKey = "leaderboard-caller";

    public static Caller CallerOf(ServerCallContext context) =>
        context.UserState.TryGetValue(CallerKey, out var caller) && caller is Caller c
            ? c
            : throw new RpcException(new Status(StatusCode.Unauthenticated, "Not authenticated."));

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        await AuthenticateAsync(context);
        return await continuation(request, context);
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        await AuthenticateAsync(context);
        return await continuation(requestStream, context);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        await AuthenticateAsync(context);
        await continuation(request, responseStream, context);
    }

    async Task AuthenticateAsync(ServerCallContext context)
    {
        // Only the Leaderboard services need a token; health and reflection stay open.
        if (!context.Method.StartsWith("/mrc.v1.Leaderboard/", StringComparison.Ordinal)
            && !context.Method.StartsWith("/mrc.v1.LeaderboardAdmin/", StringComparison.Ordinal)) return;
        var header = context.RequestHeaders.GetValue("authorization");
        string? token = null;
        if (header is not null)
        {
            if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
                throw new LeaderboardException(LeaderboardError.Unauthenticated, "The authorization header must be \"Bearer <token>\".");
            token = header["Bearer ".Length..];
        }
        if (token is null)
        {
            context.UserState[CallerKey] = await teams.AuthenticateAsync(token, context.CancellationToken);
            return;
        }

        var client = ClientOf(context);
        if (throttle.RetryAfter(client) is { } wait)
        {
            // gRPC sends it as response metadata, the JSON API as the HTTP header.
            context.GetHttpContext().Response.Headers.RetryAfter = Math.Ceiling(wait.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            throw SignInThrottle.Refusal(wait);
        }
        try
        {
            context.UserState[CallerKey] = await teams.AuthenticateAsync(token, context.CancellationToken);
            throttle.Succeeded(client);
        }
        catch (LeaderboardException e) when (e.Error == LeaderboardError.Unauthenticated)
        {
            throttle.Failed(client);
            throw;
        }
    }

    /// <summary>The caller's address as the trusted proxies report it (forwarded headers are applied first).</summary>
    static string ClientOf(ServerCallContext context) =>
        context.GetHttpContext().Connection.RemoteIpAddress?.ToString() ?? context.Peer;
}
