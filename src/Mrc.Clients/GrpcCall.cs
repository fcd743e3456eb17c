using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Mrc.Clients;

/// <summary>Deadline and retries of one kind of call.</summary>
/// <param name="Timeout">Deadline of each attempt.</param>
/// <param name="MaxAttempts">Attempts before giving up while the service stays unavailable or busy.</param>
/// <param name="InitialBackoff">Wait before the first retry; doubled after each further failure.</param>
public sealed record CallPolicy(TimeSpan Timeout, int MaxAttempts = 5, TimeSpan? InitialBackoff = null)
{
    public TimeSpan FirstBackoff => InitialBackoff ?? TimeSpan.FromSeconds(0.5);
}

/// <summary>A service stayed unavailable through every retry.</summary>
public sealed class ServiceUnavailableException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// Runs a gRPC call with a deadline per attempt and the caller's cancellation token; the transient
/// statuses — Unavailable (restarting or unreachable), DeadlineExceeded, ResourceExhausted (a full
/// queue) — are retried with exponential back-off, everything else is the caller's to handle.
/// </summary>
public static partial class GrpcCall
{
    /// <summary>The longest wait between two attempts.</summary>
    static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    public static async Task<T> RunAsync<T>(
        string what, CallPolicy policy, Func<DateTime, Task<T>> call, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(call);
        var backoff = policy.FirstBackoff;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call(DateTime.UtcNow.Add(policy.Timeout)).ConfigureAwait(false);
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.ResourceExhausted
                                         && !cancellationToken.IsCancellationRequested)
            {
                if (attempt >= policy.MaxAttempts)
                    throw new ServiceUnavailableException($"{what} failed after {attempt} attempts: {e.StatusCode}: {e.Status.Detail}", e);
                LogRetrying(logger, what, e.StatusCode, attempt, policy.MaxAttempts, backoff);
                await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
        }
    }

    [LoggerMessage(7, LogLevel.Warning, "{Call} answered {Status} (attempt {Attempt} of {MaxAttempts}); retrying in {Backoff}")]
    static partial void LogRetrying(ILogger logger, string call, StatusCode status, int attempt, int maxAttempts, TimeSpan backoff);
}
