using Microsoft.Extensions.Options;

namespace Mrc.Leaderboard.Domain;

/// <summary>
/// Reveals each set's private split at its close: every Leaderboard:PhaseCheckSeconds it reveals the
/// sets whose close has passed and that were never revealed (with an audit line each).
/// </summary>
public sealed partial class PhaseRevealService(
    IServiceScopeFactory scopes, IOptions<LeaderboardOptions> options, ILogger<PhaseRevealService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.PhaseCheckSeconds));
        do
        {
            try
            {
                using var scope = scopes.CreateScope();
                var sets = scope.ServiceProvider.GetRequiredService<EvaluationSetService>();
                foreach (var name in await sets.RevealClosedSetsAsync(stoppingToken)) LogRevealed(logger, name);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A database away for a while must not end the check; the next tick tries again.
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Evaluation set {Name} closed: its private split is now revealed.")]
    static partial void LogRevealed(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The check for closed evaluation sets failed; it runs again at the next tick.")]
    static partial void LogFailed(ILogger logger, Exception exception);
}
