namespace Mrc.Leaderboard.Domain;

/// <summary>What kind of refusal a <see cref="LeaderboardException"/> is; the API maps it to a gRPC status.</summary>
public enum LeaderboardError
{
    InvalidArgument,
    NotFound,
    PermissionDenied,
    Unauthenticated,
    ResourceExhausted,
    FailedPrecondition,
    Unavailable,
}

/// <summary>An expected refusal with a message fit to show a team (UI) or return as a status detail (API).</summary>
public sealed class LeaderboardException(LeaderboardError error, string message) : Exception(message)
{
    public LeaderboardError Error { get; } = error;
}
