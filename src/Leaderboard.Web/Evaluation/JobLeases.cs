using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Mrc.Leaderboard.Data;

namespace Mrc.Leaderboard.Evaluation;

/// <summary>
/// Which leaderboard instance runs which model run, kept in the database so that several instances can
/// share one. Each change is one conditional UPDATE of the submission's row, which both SQLite (one
/// writer at a time) and PostgreSQL (a second UPDATE of the row waits for the first, then checks its
/// condition again against the new row) apply atomically: of two instances claiming the same run, one
/// gets a row count of 1 and the other 0. The owner renews its lease while the run goes on; a run
/// whose lease expired (its owner was killed, or lost the database) may be claimed by any instance,
/// which resumes it from the predictions already stored.
/// </summary>
public sealed class JobLeases(IDbContextFactory<LeaderboardDbContext> dbFactory, IOptions<EvaluationOptions> options, TimeProvider clock)
{
    /// <summary>This instance's name in the leases it takes.</summary>
    public string Owner { get; } = options.Value.InstanceId.Trim() is { Length: > 0 } configured
        ? configured
        // A host name has at most 64 characters: this stays within the column's 200.
        : string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}");

    /// <summary>How long a lease lasts without a renewal.</summary>
    public TimeSpan Duration => TimeSpan.FromSeconds(options.Value.LeaseSeconds);

    /// <summary>How often the owner renews: three renewals fit in one lease, so one slow write loses nothing.</summary>
    public TimeSpan RenewInterval => Duration / 3;

    /// <summary>Claims the oldest model run that is queued, or running without a live lease; null when there is none.</summary>
    public async Task<long?> ClaimNextAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = Now;
        var candidates = await Claimable(db.Submissions, now).OrderBy(s => s.Id).Select(s => s.Id).Take(10).ToListAsync(cancellationToken);
        foreach (var id in candidates)
        {
            // Another instance may have claimed it since the query above: the condition is checked again in the UPDATE.
            int claimed = await Claimable(db.Submissions.Where(s => s.Id == id), now)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(x => x.LeaseOwner, Owner)
                    .SetProperty(x => x.LeaseExpiresAt, now + Duration), cancellationToken);
            if (claimed == 1) return id;
        }
        return null;
    }

    IQueryable<SubmissionRecord> Claimable(IQueryable<SubmissionRecord> submissions, DateTime now)
    {
        string owner = Owner;
        return submissions.Where(s => s.Kind == SubmissionKind.ModelRun
                                      && (s.Status == SubmissionStatus.Queued || s.Status == SubmissionStatus.Running)
                                      && (s.LeaseOwner == null || s.LeaseExpiresAt < now || s.LeaseOwner == owner));
    }

    /// <summary>
    /// Extends this instance's lease on a running submission. <see cref="LeaseRenewal.Renewed"/> carries
    /// the new expiry; otherwise the run was cancelled (by anyone, on any instance) or the lease went to
    /// another instance, and this one must stop.
    /// </summary>
    public async Task<(LeaseRenewal Outcome, DateTimeOffset ValidUntil)> RenewAsync(long submissionId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow();
        string owner = Owner;
        int renewed = await db.Submissions
            .Where(s => s.Id == submissionId && s.LeaseOwner == owner
                        && (s.Status == SubmissionStatus.Queued || s.Status == SubmissionStatus.Running))
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.LeaseExpiresAt, now.UtcDateTime + Duration), cancellationToken);
        if (renewed == 1) return (LeaseRenewal.Renewed, now + Duration);
        var status = await db.Submissions.Where(s => s.Id == submissionId).Select(s => (SubmissionStatus?)s.Status).FirstOrDefaultAsync(cancellationToken);
        return (status is SubmissionStatus.Cancelled or null ? LeaseRenewal.Cancelled : LeaseRenewal.Lost, now);
    }

    /// <summary>Gives up this instance's lease (when the run ends or the host stops), so that another instance may take the run at once.</summary>
    public async Task ReleaseAsync(long submissionId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        string owner = Owner;
        await db.Submissions.Where(s => s.Id == submissionId && s.LeaseOwner == owner)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.LeaseOwner, (string?)null).SetProperty(x => x.LeaseExpiresAt, (DateTime?)null), cancellationToken);
    }

    DateTime Now => clock.GetUtcNow().UtcDateTime;
}

/// <summary>What a lease renewal found.</summary>
public enum LeaseRenewal
{
    Renewed,
    /// <summary>The run was cancelled (or deleted): stop, as a cancel does.</summary>
    Cancelled,
    /// <summary>Another instance holds the run now: stop without touching it.</summary>
    Lost,
}
