using Microsoft.Extensions.Diagnostics.HealthChecks;
using Mrc.Retrieval.Elasticsearch;
using Mrc.Retrieval.Lifecycle;
using Mrc.Retrieval.Search;
using Mrc.Retriever.Indexes;

namespace Mrc.Retriever.Lifecycle;

/// <summary>
/// Healthy while every served index is open (and, on Elasticsearch, the server answers); Degraded while the default one is but another is not;
/// Unhealthy (the gRPC health service reports NOT_SERVING) while the default index is not open.
/// </summary>
public sealed class IndexHealthCheck(ServedIndexes indexes) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var open = new List<string>();
        var closed = new List<string>();
        bool defaultOpen = false;
        foreach (var index in indexes.All)
        {
            try
            {
                var metadata = (await index.Index.DescribeAsync(cancellationToken)).Metadata;
                open.Add($"{index.Name}: {metadata.PassageCount} passages from {metadata.CorpusSource} ({metadata.Analyzer})");
                defaultOpen |= index.IsDefault;
            }
            catch (Exception e) when (e is IndexUnavailableException or SearchServerUnavailableException or ElasticsearchRequestException)
            {
                closed.Add($"{index.Name}: {e.Message}");
            }
        }
        string description = string.Join("; ", closed.Concat(open));
        return closed.Count == 0 ? HealthCheckResult.Healthy(description)
            : defaultOpen ? HealthCheckResult.Degraded(description)
            : HealthCheckResult.Unhealthy(description);
    }
}
