using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Mrc.Leaderboard.Data;

public static class DatabaseExtensions
{
    /// <summary>Connection string names: "Leaderboard" (SQLite) and "LeaderboardPostgres" (PostgreSQL).</summary>
    public const string SqliteConnectionName = "Leaderboard";
    public const string PostgresConnectionName = "LeaderboardPostgres";
    const string DefaultSqlite = "Data Source=leaderboard.db";

    /// <summary>
    /// Registers <see cref="IDbContextFactory{LeaderboardDbContext}"/> for the provider named by
    /// Database:Provider (sqlite or postgres).
    /// </summary>
    public static IHostApplicationBuilder AddLeaderboardDatabase(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var provider = (builder.Configuration[$"{DatabaseOptions.SectionName}:Provider"] ?? "sqlite").Trim().ToLowerInvariant();
        services.AddValidatedOptions<DatabaseOptions>(DatabaseOptions.SectionName);
        switch (provider)
        {
            case "postgres":
                var postgres = builder.Configuration.GetConnectionString(PostgresConnectionName)
                    ?? throw new InvalidOperationException(
                        $"Database:Provider is postgres but ConnectionStrings:{PostgresConnectionName} is not set.");
                services.AddDbContextFactory<PostgresLeaderboardDbContext>(o => o.UseNpgsql(postgres));
                services.AddSingleton<IDbContextFactory<LeaderboardDbContext>, DerivedFactory<PostgresLeaderboardDbContext>>();
                PersistKeysIn<PostgresLeaderboardDbContext>(services);
                break;
            default:
                var sqlite = builder.Configuration.GetConnectionString(SqliteConnectionName) ?? DefaultSqlite;
                services.AddDbContextFactory<SqliteLeaderboardDbContext>(o => o.UseSqlite(sqlite));
                services.AddSingleton<IDbContextFactory<LeaderboardDbContext>, DerivedFactory<SqliteLeaderboardDbContext>>();
                PersistKeysIn<SqliteLeaderboardDbContext>(services);
                break;
        }
        return builder;
    }

    /// <summary>
    /// Keeps the data-protection keys (which protect sign-in cookies, antiforgery tokens and Blazor's
    /// state) in the database, so a restart or a new container does not sign everyone out, and every
    /// instance on the same database reads the others' cookies. The fixed application name keeps the
    /// keys valid when the app moves to another folder. AddDbContextFactory also registers the
    /// context as a scoped service, which is what the key store asks for.
    /// </summary>
    static void PersistKeysIn<TContext>(IServiceCollection services) where TContext : LeaderboardDbContext =>
        services.AddDataProtection().SetApplicationName("MrcGrpc.Leaderboard").PersistKeysToDbContext<TContext>();

    /// <summary>Applies pending migrations of the configured provider (creating the database if needed).</summary>
    public static async Task MigrateLeaderboardDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        var factory = services.GetRequiredService<IDbContextFactory<LeaderboardDbContext>>();
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        if (db.Database.IsSqlite())
        {
            // Readers (pages, API) and the worker's writes proceed side by side.
            await db.Database.OpenConnectionAsync(cancellationToken);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
        await db.Database.MigrateAsync(cancellationToken);
    }

    sealed class DerivedFactory<TContext>(IDbContextFactory<TContext> inner) : IDbContextFactory<LeaderboardDbContext>
        where TContext : LeaderboardDbContext
    {
        public LeaderboardDbContext CreateDbContext() => inner.CreateDbContext();
    }
}

/// <summary>For `dotnet ef migrations add X --context SqliteLeaderboardDbContext -o Data/Migrations/Sqlite`.</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteLeaderboardDbContext>
{
    public SqliteLeaderboardDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteLeaderboardDbContext>().UseSqlite("Data Source=design.db").Options);
}

/// <summary>For `dotnet ef migrations add X --context PostgresLeaderboardDbContext -o Data/Migrations/Postgres`.</summary>
public sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresLeaderboardDbContext>
{
    public PostgresLeaderboardDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresLeaderboardDbContext>().UseNpgsql("Host=127.0.0.1;Database=leaderboard").Options);
}
