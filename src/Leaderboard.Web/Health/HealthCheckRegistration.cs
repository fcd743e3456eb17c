using Mrc.Leaderboard.Health;

namespace Mrc.Leaderboard;

/// <summary>The leaderboard's checks behind /health (and grpc.health.v1), beside the service defaults' "self".</summary>
public static class HealthCheckRegistration
{
    /// <summary>How long the database may take to answer before /health reports it unhealthy.</summary>
    public static readonly TimeSpan DatabaseTimeout = TimeSpan.FromSeconds(5);

    public static IServiceCollection AddLeaderboardHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", failureStatus: null, tags: [], timeout: DatabaseTimeout)
            .AddCheck<EvaluationWorkerHealthCheck>("evaluation-worker");
        return services;
    }
}
