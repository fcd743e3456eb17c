using Microsoft.JSInterop;

namespace Mrc.Leaderboard.Auth;

/// <summary>
/// The time zone of the browser a circuit serves, asked once over JS interop (times are stored in
/// UTC and shown in the viewer's local time). Until the browser has answered, and for a zone the
/// server does not know, it is UTC.
/// </summary>
public sealed class BrowserTimeZone(IJSRuntime js)
{
    Task<TimeZoneInfo>? lookup;

    /// <summary>The browser's zone; only after the first render, when JS interop is available.</summary>
    public Task<TimeZoneInfo> GetAsync() => lookup ??= LookUpAsync();

    async Task<TimeZoneInfo> LookUpAsync()
    {
        try
        {
            await using var module = await js.InvokeAsync<IJSObjectReference>("import", "./Components/Shared/LocalTime.razor.js");
            var name = await module.InvokeAsync<string?>("timeZone");
            return !string.IsNullOrEmpty(name) && TimeZoneInfo.TryFindSystemTimeZoneById(name, out var zone) ? zone : TimeZoneInfo.Utc;
        }
        catch (Exception e) when (e is JSException or JSDisconnectedException or TaskCanceledException)
        {
            // The page went away or its script failed: UTC, as the times say.
            return TimeZoneInfo.Utc;
        }
    }

    /// <summary>"yyyy-MM-dd HH:mm" in <paramref name="zone"/> with the zone's offset, e.g. "2026-12-01 18:00 (UTC+09:00)".</summary>
    public static string Format(DateTime utc, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone);
        var offset = zone.GetUtcOffset(local);
        string sign = offset < TimeSpan.Zero ? "-" : "+";
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{local:yyyy-MM-dd HH:mm} (UTC{sign}{offset:hh\\:mm})");
    }

    /// <summary>A wall-clock time the viewer typed (in <paramref name="zone"/>) as UTC.</summary>
    public static DateTime ToUtc(DateTime local, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), zone);
}
