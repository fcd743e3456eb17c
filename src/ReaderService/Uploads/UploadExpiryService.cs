using Mrc.Reading.Uploads;

namespace Mrc.Reader.Uploads;

/// <summary>Deletes uploads that were never committed once they expire: at start, then every ten minutes.</summary>
public sealed class UploadExpiryService(ModelUploadStore store, ILogger<UploadExpiryService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(10));
        do
        {
            try
            {
                store.RemoveExpired();
            }
            catch (IOException e)
            {
                Log.SweepFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}

internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Expired uploads could not all be deleted; tried again later")]
    public static partial void SweepFailed(ILogger logger, Exception exception);
}
