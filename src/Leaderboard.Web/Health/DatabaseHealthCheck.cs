using System.Data.Common;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Mrc.Leaderboard.Data;
using Npgsql;

namespace Mrc.Leaderboard.Health;

/// <summary>
/// Healthy while the leaderboard's database opens a connection and answers a query on its tables.
/// Unhealthy with the reason otherwise; the reason names the provider and its error code, never the
/// connection string, server or file path (/health is anonymous). The whole exception goes to the log.
/// </summary>
public sealed class DatabaseHealthCheck(IDbContextFactory<LeaderboardDbContext> dbFactory) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        bool sqlite = db.Database.IsSqlite();
        string provider = sqlite ? "SQLite" : "PostgreSQL";
        if (sqlite)
        {
            // A pooled connection keeps working on a file that was deleted or moved away, and a probe
            // allowed to create the file would find a new empty database: open a fresh one that may not.
            var connection = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()) { Pooling = false };
            if (connection.Mode == SqliteOpenMode.ReadWriteCreate) connection.Mode = SqliteOpenMode.ReadWrite;
            db.Database.SetConnectionString(connection.ToString());
        }
        try
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            // A query on a table the worker reads: an empty or foreign database fails here, not only a missing one.
            await db.Submissions.AsNoTracking().AnyAsync(cancellationToken);
            return HealthCheckResult.Healthy($"{provider} answers");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"{provider} does not answer: {Reason(e)}", e);
        }
    }

    /// <summary>What went wrong, without the connection string, host or file path that some provider messages carry.</summary>
    internal static string Reason(Exception e)
    {
        var db = Innermost<DbException>(e) ?? e;
        return db switch
        {
            // SQLite's own message ("unable to open database file", "no such table: ...") names no path.
            SqliteException s => $"SQLite error {s.SqliteErrorCode}: {Text(s)}",
            // PostgreSQL's message may name the database or user: the SQLSTATE is enough to look it up.
            PostgresException p => $"PostgreSQL error SQLSTATE {p.SqlState}",
            NpgsqlException n when Innermost<SocketException>(n) is { } socket => $"cannot connect to the server ({socket.SocketErrorCode})",
            NpgsqlException n when Innermost<TimeoutException>(n) is not null => "the server did not answer in time",
            NpgsqlException => "cannot connect to the server",
            _ => db.GetType().Name,
        };
    }

    static string Text(SqliteException e)
    {
        // "SQLite Error 14: 'unable to open database file'." -> unable to open database file
        int open = e.Message.IndexOf('\'', StringComparison.Ordinal), close = e.Message.LastIndexOf('\'');
        return open >= 0 && close > open ? e.Message[(open + 1)..close] : e.Message;
    }

    static T? Innermost<T>(Exception e) where T : Exception
    {
        T? found = null;
        for (Exception? current = e; current is not null; current = current.InnerException)
            if (current is T match) found = match;
        return found;
    }
}
