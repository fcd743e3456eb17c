using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Mrc.Leaderboard.Data;

/// <summary>
/// The lock under which a team's submissions of the day are counted and a new one is inserted, taken
/// in the database so that it holds across every leaderboard instance sharing it; it ends with the
/// returned transaction. PostgreSQL: the team's row is locked (<c>SELECT … FOR UPDATE</c>), so one
/// team's submissions queue up behind each other and other teams' do not wait; each statement under
/// READ COMMITTED then sees the rows the previous holder committed. SQLite: the transaction begins
/// IMMEDIATE (Microsoft.Data.Sqlite's non-deferred default), taking the database's write lock at once
/// rather than at the first write, so a second instance's count waits until the first one's insert is
/// committed. A SERIALIZABLE transaction would also be correct, but refuses the losers of a race with a
/// serialization failure that every caller would have to retry; a lock just makes them wait their turn.
/// </summary>
public static class DailyLimitLock
{
    public static async Task<IDbContextTransaction> TakeAsync(LeaderboardDbContext db, long teamId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            if (db.Database.IsNpgsql())
                await db.Database.ExecuteSqlInterpolatedAsync($"SELECT 1 FROM \"Teams\" WHERE \"Id\" = {teamId} FOR UPDATE", cancellationToken);
            return transaction;
        }
        catch
        {
            await transaction.DisposeAsync();
            throw;
        }
    }
}
