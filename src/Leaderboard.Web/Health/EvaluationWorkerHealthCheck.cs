using Microsoft.Extensions.Diagnostics.HealthChecks;
using Mrc.Leaderboard.Evaluation;

namespace Mrc.Leaderboard.Health;

/// <summary>
/// Healthy while the evaluation worker's loop runs (<see cref="BackgroundService.ExecuteTask"/> has
/// not completed); unhealthy when it returned, was stopped or failed, since queued model runs would
/// then wait forever. A failure of the loop also stops the host (the default
/// <see cref="BackgroundServiceExceptionBehavior.StopHost"/>), and the deployment restarts it.
/// </summary>
public sealed class EvaluationWorkerHealthCheck(IEnumerable<IHostedService> hostedServices) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var worker = hostedServices.OfType<EvaluationWorker>().SingleOrDefault();
        return Task.FromResult(Check(worker, "the evaluation worker", context.Registration.FailureStatus));
    }

    /// <summary>The state of a background service's loop, as a health result.</summary>
    internal static HealthCheckResult Check(BackgroundService? service, string what, HealthStatus failureStatus)
    {
        var loop = service?.ExecuteTask;
        if (service is null) return new HealthCheckResult(failureStatus, $"{what} is not registered");
        if (loop is null) return new HealthCheckResult(failureStatus, $"{what} has not started");
        if (!loop.IsCompleted) return HealthCheckResult.Healthy($"{what} is running");
        if (loop.Exception?.InnerException is { } error)
            // The type only: an exception's message may carry a connection string or server address.
            return new HealthCheckResult(failureStatus, $"{what} stopped with {error.GetType().Name}; queued model runs are not evaluated", error);
        return new HealthCheckResult(failureStatus, $"{what} has stopped; queued model runs are not evaluated");
    }
}
