using Grpc.Core;
using Grpc.Core.Interceptors;
using Google.Protobuf;
using Mrc.Leaderboard.Domain;

namespace Mrc.Leaderboard.Api;

/// <summary>
/// Records every mrc.v1.LeaderboardAdmin call in the audit log: who (the caller and its address),
/// what (the method), to what (the request's name, set or submission id), when, and how it ended,
/// refusals included. It wraps <see cref="AuthInterceptor"/>, so unauthenticated calls are recorded too.
/// </summary>
public sealed class AdminAuditInterceptor(AuditLog audit) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        ArgumentNullException.ThrowIfNull(context);
        string action = context.Method[(context.Method.LastIndexOf('/') + 1)..];
        string target = Target(request as IMessage);
        try
        {
            var response = await continuation(request, context);
            await audit.RecordAsync(Actor(context), action, target, AuditLog.Ok, CancellationToken.None);
            return response;
        }
        catch (LeaderboardException e)
        {
            await audit.RecordAsync(Actor(context), action, target, $"{e.Error}: {e.Message}", CancellationToken.None);
            throw;
        }
        catch (RpcException e)
        {
            await audit.RecordAsync(Actor(context), action, target, $"{e.StatusCode}: {e.Status.Detail}", CancellationToken.None);
            throw;
        }
    }

    static string Actor(ServerCallContext context)
    {
        string who = context.UserState.TryGetValue(AuthInterceptor.CallerKey, out var caller) && caller is Caller c
            ? c.IsAdmin ? "admin" : $"team {c.Name}"
            : "unauthenticated";
        return $"{who} (api, {context.Peer})";
    }

    /// <summary>The request's name, set or submission id: the first of those fields it has that is set.</summary>
    static string Target(IMessage? request)
    {
        if (request is null) return "";
        foreach (var name in new[] { "name", "evaluation_set", "submission_id" })
        {
            var field = request.Descriptor.FindFieldByName(name);
            if (field?.Accessor.GetValue(request) is { } value && value.ToString() is { Length: > 0 } text && text != "0") return text;
        }
        return "";
    }
}
