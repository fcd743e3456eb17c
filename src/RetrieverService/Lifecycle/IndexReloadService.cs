using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mrc.Retrieval.Lifecycle;

namespace Mrc.Retriever.Lifecycle;

/// <summary>Looks for a newly published index generation every Retriever:ReloadInterval and swaps it in.</summary>
public sealed partial class IndexReloadService(IndexHost host, IOptions<RetrieverOptions> options, ILogger<IndexReloadService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ReloadInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                host.Reload();
            }
            catch (Exception e) when (e is not OperationCanceledException and not ObjectDisposedException)
            {
                // A folder being written or briefly unreadable: keep serving and try again next tick,
                // rather than let the background service fail and stop the host.
                LogReloadError(logger, host.IndexDirectory, e.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not check {IndexDirectory} for a new index generation: {Reason}")]
    static partial void LogReloadError(ILogger logger, string indexDirectory, string reason);
}
