using Microsoft.Extensions.Diagnostics.HealthChecks;
using Mrc.Reading.Models;

namespace Mrc.Reader.Health;

/// <summary>
/// Healthy while the reader can answer: some model version is in memory, or one loads now (the
/// default model's latest version first, then the others, each tried once until its folder changes).
/// Unhealthy — gRPC health NOT_SERVING, /health 503 — with the reason while the repository holds no
/// model or no version can be loaded, so an orchestrator does not route reads to a reader that would
/// refuse every one.
/// </summary>
public sealed class ModelHealthCheck(ModelManager models) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var versions = models.Status();
        if (versions.Count == 0)
            return HealthCheckResult.Unhealthy($"the model repository {models.Repository.Root} holds no model version (<name>/<version>/config.json).");
        if (versions.FirstOrDefault(v => v.Loaded) is { } loaded)
            return HealthCheckResult.Healthy($"{loaded.Entry.Key} loaded on {loaded.Device}");

        // Nothing in memory yet: the default first, then every other version, until one loads.
        var candidates = versions.OrderByDescending(v => v.IsDefault).ThenBy(v => v.LoadError.Length > 0).ToList();
        var reasons = new List<string>();
        foreach (var candidate in candidates)
        {
            try
            {
                using var lease = await models.AcquireAsync(candidate.Entry.Name, candidate.Entry.Version, cancellationToken);
                return HealthCheckResult.Healthy($"{candidate.Entry.Key} loaded on {lease.Reader.DeviceName}");
            }
            catch (ModelLoadException e)
            {
                reasons.Add(e.Message);
            }
        }
        return HealthCheckResult.Unhealthy($"no model version can be loaded: {string.Join("; ", reasons)}");
    }
}
