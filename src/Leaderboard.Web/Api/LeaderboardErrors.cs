using Grpc.Core;
using Mrc.Clients;
using Mrc.Leaderboard.Domain;
using MrcGrpc.ServiceDefaults.Grpc;

namespace Mrc.Leaderboard.Api;

/// <summary>The leaderboard's refusals (<see cref="LeaderboardException"/>) and the status each one is.</summary>
public sealed class LeaderboardErrors : IRpcErrorMap
{
    public Status? Map(Exception exception) => exception switch
    {
        LeaderboardException e => new Status(e.Error switch
        {
            LeaderboardError.InvalidArgument => StatusCode.InvalidArgument,
            LeaderboardError.NotFound => StatusCode.NotFound,
            LeaderboardError.PermissionDenied => StatusCode.PermissionDenied,
            LeaderboardError.Unauthenticated => StatusCode.Unauthenticated,
            LeaderboardError.ResourceExhausted => StatusCode.ResourceExhausted,
            LeaderboardError.FailedPrecondition => StatusCode.FailedPrecondition,
            LeaderboardError.Unavailable => StatusCode.Unavailable,
            _ => StatusCode.Unknown,
        }, e.Message),
        // The reader or retriever stayed unreachable through every retry.
        ServiceUnavailableException => new Status(StatusCode.Unavailable, exception.Message),
        _ => null,
    };
}
