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

/// <summary>
/// An expected refusal with a message fit to return as a status detail (API, English) and, where the
/// refusal has one, the same in Korean for the browser's pages (<see cref="Korean"/>).
/// </summary>
public sealed class LeaderboardException(LeaderboardError error, string message, string? korean = null) : Exception(message)
{
    public LeaderboardError Error { get; } = error;

    /// <summary>The message the Korean pages show: the Korean text when there is one, else the English.</summary>
    public string Korean { get; } = korean ?? message;
}
