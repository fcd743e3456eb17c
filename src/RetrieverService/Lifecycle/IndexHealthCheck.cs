using Microsoft.Extensions.Diagnostics.HealthChecks;
using Mrc.Retrieval.Lifecycle;

namespace Mrc.Retriever.Lifecycle;

/// <summary>Healthy while an index is open and searchable; the gRPC health service reports NOT_SERVING otherwise.</summary>
public sealed class IndexHealthCheck(IndexHost host) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var lease = host.Acquire();
            var metadata = lease.Index.Metadata;
            return Task.FromResult(HealthCheckResult.Healthy($"{metadata.PassageCount} passages from {metadata.CorpusSource} ({metadata.Analyzer})"));
        }
        catch (IndexUnavailableException e)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(e.Message));
        }
    }
}
