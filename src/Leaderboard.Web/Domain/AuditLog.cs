using Microsoft.EntityFrameworkCore;
using Mrc.Leaderboard.Data;

namespace Mrc.Leaderboard.Domain;

/// <summary>An audit line as the admin's page lists it.</summary>
public sealed record AuditView(long Id, DateTime At, string Actor, string Action, string Target, string Outcome);

/// <summary>
/// The record of administrative actions: every admin API call and every admin action in the browser,
/// refused ones included, and the reveals the close makes (<see cref="PhaseRevealService"/>).
/// </summary>
public sealed class AuditLog(IDbContextFactory<LeaderboardDbContext> dbFactory, TimeProvider clock)
{
    public const string Ok = "ok";

    /// <summary>
    /// Runs an administrative action and records who did it, to what, when and how it ended. The line
    /// is written after the action, whatever the caller's cancellation: an action done is recorded.
    /// </summary>
    public async Task<T> RunAsync<T>(string actor, string action, string target, Func<Task<T>> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        T result;
        try
        {
            result = await run();
        }
        catch (LeaderboardException e)
        {
            await RecordAsync(actor, action, target, $"{e.Error}: {e.Message}", CancellationToken.None);
            throw;
        }
        await RecordAsync(actor, action, target, Ok, CancellationToken.None);
        return result;
    }

    public Task RunAsync(string actor, string action, string target, Func<Task> run) =>
        RunAsync(actor, action, target, async () =>
        {
            await run();
            return true;
        });

    public async Task RecordAsync(string actor, string action, string target, string outcome, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.AuditEntries.Add(new AuditEntry
        {
            At = clock.GetUtcNow().UtcDateTime,
            Actor = Cut(actor, 200),
            Action = Cut(action, 100),
            Target = Cut(target, 400),
            Outcome = Cut(outcome, 2000),
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>The newest entries first, <paramref name="take"/> of them, older than <paramref name="beforeId"/> when given.</summary>
    public async Task<IReadOnlyList<AuditView>> ListAsync(int take, long? beforeId = null, CancellationToken cancellationToken = default)
    {
        if (take is < 1 or > 1000)
            throw new LeaderboardException(LeaderboardError.InvalidArgument, "The page size must be between 1 and 1000.");
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.AuditEntries.AsNoTracking();
        if (beforeId is { } before) query = query.Where(e => e.Id < before);
        var rows = await query.OrderByDescending(e => e.Id).Take(take).ToListAsync(cancellationToken);
        return rows.Select(e => new AuditView(e.Id, e.At, e.Actor, e.Action, e.Target, e.Outcome)).ToList();
    }

    static string Cut(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}
