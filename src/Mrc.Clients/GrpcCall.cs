using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Mrc.Clients;

/// <summary>Deadline and retries of one kind of call.</summary>
/// <param name="Timeout">Deadline of each attempt.</param>
/// <param name="MaxAttempts">Attempts before giving up while the service is unavailable.</param>
/// <param name="InitialBackoff">Wait before the first retry; doubled after each further failure.</param>
public sealed record CallPolicy(TimeSpan Timeout, int MaxAttempts = 5, TimeSpan? InitialBackoff = null)
{
    public TimeSpan FirstBackoff => InitialBackoff ?? TimeSpan.FromSeconds(0.5);
}

/// <summary>A service stayed unavailable through every retry.</summary>
public sealed class ServiceUnavailableException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// Runs a gRPC call with a deadline per attempt and the caller's cancellation token; Unavailable and
/// DeadlineExceeded are retried with exponential back-off, everything else is the caller's to handle.
/// </summary>
public static partial class GrpcCall
{
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
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded
                                         && !cancellationToken.IsCancellationRequested)
            {
                if (attempt >= policy.MaxAttempts)
                    throw new ServiceUnavailableException($"{what} failed after {attempt} attempts: {e.StatusCode}: {e.Status.Detail}", e);
                LogRetrying(logger, what, e.StatusCode, attempt, policy.MaxAttempts, backoff);
                await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
                backoff *= 2;
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
