using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mrc.Retriever.Indexes;

namespace Mrc.Retriever.Lifecycle;

/// <summary>Looks for a newly published build (Lucene generation, or Elasticsearch index behind the alias) of every served index each Retriever:ReloadInterval and swaps it in.</summary>
public sealed partial class IndexReloadService(ServedIndexes indexes, IOptions<RetrieverOptions> options, ILogger<IndexReloadService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ReloadInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var index in indexes.All)
            {
                try
                {
                    await index.Index.ReloadAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException and not ObjectDisposedException)
                {
                    // A folder being written or briefly unreadable: keep serving and try again next tick,
                    // rather than let the background service fail and stop the host. Each index on its own.
                    LogReloadError(logger, index.Name, index.Index.Location, e.Message);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not check index {Index} at {Location} for a new build: {Reason}")]
    static partial void LogReloadError(ILogger logger, string index, string location, string reason);
}
