using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;
using Mrc.Leaderboard.Domain;

namespace Mrc.Leaderboard.Auth;

/// <summary>
/// Slows down guessing of tokens and of the admin secret: after Leaderboard:SignInFailuresAllowed
/// failed authentications in a row from one client address, every further attempt from it — the
/// gRPC/JSON API's bearer tokens and the browser's sign-in alike — is refused with ResourceExhausted
/// (HTTP 429) for Leaderboard:SignInLockoutSeconds, saying when to try again; a success clears the
/// count. Counted per address after the trusted proxies' forwarding, in this instance's memory: an
/// attacker spreading guesses over several instances gets the allowance once per instance.
/// </summary>
public sealed class SignInThrottle(IOptions<LeaderboardOptions> options, TimeProvider clock)
{
    sealed class Record
    {
        public int Failures;
        public DateTimeOffset BlockedUntil;
    }

    readonly ConcurrentDictionary<string, Record> records = new(StringComparer.Ordinal);

    /// <summary>Refuses the attempt when <paramref name="client"/> is locked out, saying when to try again.</summary>
    public void Check(string client)
    {
        if (RetryAfter(client) is { } wait) throw Refusal(wait);
    }

    public static LeaderboardException Refusal(TimeSpan wait) => new(LeaderboardError.ResourceExhausted, string.Create(CultureInfo.InvariantCulture,
        $"Too many failed sign-ins from this address; try again in {Math.Ceiling(wait.TotalSeconds):0} seconds."));

    /// <summary>How long <paramref name="client"/> is still locked out, or null.</summary>
    public TimeSpan? RetryAfter(string client)
    {
        if (!records.TryGetValue(client, out var record)) return null;
        lock (record)
        {
            var left = record.BlockedUntil - clock.GetUtcNow();
            return left > TimeSpan.Zero ? left : null;
        }
    }

    public void Failed(string client)
    {
        var record = records.GetOrAdd(client, _ => new Record());
        lock (record)
        {
            record.Failures++;
            if (record.Failures >= options.Value.SignInFailuresAllowed)
            {
                record.BlockedUntil = clock.GetUtcNow() + TimeSpan.FromSeconds(options.Value.SignInLockoutSeconds);
                record.Failures = 0;
            }
        }
        if (records.Count > 100_000) Prune();
    }

    public void Succeeded(string client) => records.TryRemove(client, out _);

    /// <summary>Forgets addresses that are not locked out, so that a stream of addresses cannot fill memory.</summary>
    void Prune()
    {
        var now = clock.GetUtcNow();
        foreach (var (client, record) in records)
            if (record.BlockedUntil <= now) records.TryRemove(client, out _);
    }
}
