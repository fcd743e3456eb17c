using Mrc.Leaderboard.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Mrc.Leaderboard.Domain;

/// <summary>A team as pages list it.</summary>
public sealed record TeamInfo(long Id, string Name, DateTime CreatedAt, DateTime? TokenExpiresAt);

/// <summary>Teams, their tokens, and turning a presented token or secret into a <see cref="Caller"/>.</summary>
public sealed class TeamService(
    IDbContextFactory<LeaderboardDbContext> dbFactory,
    IOptions<LeaderboardOptions> options,
    TimeProvider clock)
{
    /// <summary>
    /// Creates a team and returns its token: the only time the token is seen. A new random token unless
    /// <paramref name="token"/> is given (the configured demo team of a local run).
    /// </summary>
    public async Task<(TeamInfo Team, string Token)> CreateAsync(string name, string? token = null, CancellationToken cancellationToken = default)
    {
        name = (name ?? "").Trim();
        if (name.Length is 0 or > 100)
            throw new LeaderboardException(LeaderboardError.InvalidArgument, "A team name needs 1 to 100 characters.", "팀 이름은 1~100자여야 합니다.");
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await db.Teams.AnyAsync(t => t.Name == name, cancellationToken))
            throw new LeaderboardException(LeaderboardError.FailedPrecondition, $"A team named \"{name}\" already exists.", $"\"{name}\" 팀이 이미 있습니다.");
        token ??= Tokens.NewToken();
        var now = clock.GetUtcNow().UtcDateTime;
        var team = new Team { Name = name, TokenHash = Tokens.Hash(token), CreatedAt = now, TokenExpiresAt = Expiry(now) };
        db.Teams.Add(team);
        await db.SaveChangesAsync(cancellationToken);
        return (ToInfo(team), token);
    }

    /// <summary>Replaces a team's token (the old one stops working at once) and returns the new one.</summary>
    public async Task<string> RotateTokenAsync(long teamId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var team = await db.Teams.FindAsync([teamId], cancellationToken)
            ?? throw new LeaderboardException(LeaderboardError.NotFound, $"Team {teamId} does not exist.", $"팀 {teamId}이(가) 없습니다.");
        var token = Tokens.NewToken();
        team.TokenHash = Tokens.Hash(token);
        team.TokenExpiresAt = Expiry(clock.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(cancellationToken);
        return token;
    }

    /// <summary>
    /// Deletes a team. A team with submissions is refused (FailedPrecondition) unless
    /// <paramref name="withSubmissions"/> says to delete them too (the database cascades them and their
    /// predictions in the same statement).
    /// </summary>
    public async Task DeleteAsync(long teamId, bool withSubmissions, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var name = await db.Teams.Where(t => t.Id == teamId).Select(t => t.Name).FirstOrDefaultAsync(cancellationToken)
            ?? throw new LeaderboardException(LeaderboardError.NotFound, $"Team {teamId} does not exist.", $"팀 {teamId}이 없습니다.");
        int submissions = await db.Submissions.CountAsync(s => s.TeamId == teamId, cancellationToken);
        if (submissions > 0 && !withSubmissions)
            throw new LeaderboardException(LeaderboardError.FailedPrecondition,
                $"Team \"{name}\" has {submissions} submission(s); delete it with its submissions (cascade) or keep it.",
                $"팀 \"{name}\"에 제출이 {submissions}개 있습니다. 제출까지 함께 삭제하거나 그대로 두세요.");
        await db.Teams.Where(t => t.Id == teamId).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The id of the team with this name; NotFound otherwise (the admin API names teams).</summary>
    public async Task<long> IdOfAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Teams.Where(t => t.Name == name).Select(t => (long?)t.Id).FirstOrDefaultAsync(cancellationToken)
            ?? throw new LeaderboardException(LeaderboardError.NotFound, $"Team \"{name}\" does not exist.", $"팀 \"{name}\"이 없습니다.");
    }

    public async Task<IReadOnlyList<TeamInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var teams = await db.Teams.AsNoTracking().OrderBy(t => t.Name).ToListAsync(cancellationToken);
        return teams.Select(ToInfo).ToList();
    }

    /// <summary>
    /// The caller a presented token stands for: the administrator for the configured secret, else the
    /// team whose token hash matches. Missing, wrong or expired → Unauthenticated.
    /// </summary>
    public async Task<Caller> AuthenticateAsync(string? token, CancellationToken cancellationToken = default)
    {
        token = token?.Trim();
        if (string.IsNullOrEmpty(token))
            throw new LeaderboardException(LeaderboardError.Unauthenticated, "An API token is required (authorization: Bearer <token>).", "API 토큰이 필요합니다 (authorization: Bearer <토큰>).");
        if (Tokens.SecretEquals(token, options.Value.AdminSecret)) return Caller.Admin;

        var hash = Tokens.Hash(token);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var team = await db.Teams.AsNoTracking().FirstOrDefaultAsync(t => t.TokenHash == hash, cancellationToken)
            ?? throw new LeaderboardException(LeaderboardError.Unauthenticated, "The API token is not valid.", "API 토큰이 올바르지 않습니다.");
        if (team.TokenExpiresAt is { } expires && expires <= clock.GetUtcNow().UtcDateTime)
            throw new LeaderboardException(LeaderboardError.Unauthenticated, "The API token has expired; ask the organisers for a new one.", "API 토큰이 만료되었습니다. 운영진에게 새 토큰을 요청하세요.");
        return Caller.ForTeam(team.Id, team.Name);
    }

    /// <summary>
    /// A short fingerprint of the team's current token, or null when the team is gone or its token
    /// expired. A browser session remembers it, so rotating or expiring the token ends the session.
    /// </summary>
    public async Task<string?> TokenStampAsync(long teamId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var team = await db.Teams.AsNoTracking().Where(t => t.Id == teamId)
            .Select(t => new { t.TokenHash, t.TokenExpiresAt }).FirstOrDefaultAsync(cancellationToken);
        if (team is null || (team.TokenExpiresAt is { } expires && expires <= clock.GetUtcNow().UtcDateTime)) return null;
        return team.TokenHash[..16];
    }

    DateTime? Expiry(DateTime now) =>
        options.Value.TokenLifetimeDays > 0 ? now.AddDays(options.Value.TokenLifetimeDays) : null;

    static TeamInfo ToInfo(Team team) => new(team.Id, team.Name, team.CreatedAt, team.TokenExpiresAt);
}
