using Mrc.Leaderboard.Domain;

namespace Mrc.Leaderboard.Data;

/// <summary>
/// Brings the database up to date before anything uses it: applies pending migrations, then registers
/// the demo set and team (<see cref="DemoSeeding"/>). Registered before the evaluation worker, and
/// hosted services start in order before the server listens, so no page, call or job sees an old schema.
/// A failure here stops the start with its message.
/// </summary>
public sealed class DatabaseStartup(IServiceProvider services) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await services.MigrateLeaderboardDatabaseAsync(cancellationToken);
        await services.SeedDemoAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
