namespace Mrc.Leaderboard.Domain;

/// <summary>Who is asking: a team (by its token or browser sign-in) or the administrator.</summary>
public sealed record Caller(long? TeamId, string Name, bool IsAdmin)
{
    public static Caller Admin { get; } = new(null, "admin", true);

    public static Caller ForTeam(long teamId, string name) => new(teamId, name, false);

    /// <summary>May this caller see the per-question results of a submission owned by <paramref name="ownerTeamId"/>?</summary>
    public bool CanSeeDetails(long ownerTeamId) => IsAdmin || TeamId == ownerTeamId;

    /// <summary>Private scores and private gold answers: admin always, teams after the reveal.</summary>
    public bool CanSeePrivate(bool revealed) => IsAdmin || revealed;
}
