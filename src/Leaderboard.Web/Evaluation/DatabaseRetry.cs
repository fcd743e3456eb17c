using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Mrc.Leaderboard.Evaluation;

/// <summary>
/// Runs the evaluation jobs' database work again while the database is only busy: SQLite answers
/// "database is locked" once another process has held a write lock longer than the command timeout,
/// and PostgreSQL drops connections while it restarts. Waits grow from 0.2 s to 5 s, for at most
/// Evaluation:DatabaseRetrySeconds; anything else, or a database still busy after that, is thrown.
/// </summary>
public sealed partial class DatabaseRetry(IOptions<EvaluationOptions> options, TimeProvider clock, ILogger<DatabaseRetry> logger)
{
    static readonly TimeSpan FirstWait = TimeSpan.FromSeconds(0.2), LongestWait = TimeSpan.FromSeconds(5);

    public async Task<T> RunAsync<T>(string what, Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        var deadline = clock.GetUtcNow() + TimeSpan.FromSeconds(options.Value.DatabaseRetrySeconds);
        var wait = FirstWait;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await action(cancellationToken);
            }
            catch (Exception e) when (IsTransient(e) && clock.GetUtcNow() + wait < deadline && !cancellationToken.IsCancellationRequested)
            {
                LogBusy(logger, what, attempt, wait, e.GetBaseException().Message);
                await Task.Delay(wait, clock, cancellationToken);
                wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, LongestWait.Ticks));
            }
        }
    }

    public Task RunAsync(string what, Func<CancellationToken, Task> action, CancellationToken cancellationToken) =>
        RunAsync(what, async ct =>
        {
            await action(ct);
            return true;
        }, cancellationToken);

    /// <summary>Whether the failure is the database being busy or away for a while, not a wrong statement.</summary>
    public static bool IsTransient(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                // SQLITE_BUSY (5) and SQLITE_LOCKED (6).
                case SqliteException { SqliteErrorCode: 5 or 6 }:
                case NpgsqlException { IsTransient: true }:
                case TimeoutException:
                    return true;
                case DbUpdateConcurrencyException:
                    return false;
            }
        }
        return false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database busy during {What} (attempt {Attempt}); trying again in {Wait}: {Reason}")]
    static partial void LogBusy(ILogger logger, string what, int attempt, TimeSpan wait, string reason);
}
