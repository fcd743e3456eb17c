using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using Mrc.Leaderboard.Domain;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Mrc.Leaderboard.Auth;

/// <summary>
/// Browser sign-in. The sign-in page (interactive) checks the token or admin secret and gets a
/// one-time ticket; the browser then follows /account/complete-signin?ticket=…, which sets the
/// authentication cookie (only a plain HTTP request can set one).
/// </summary>
public sealed class SignInTickets(TimeProvider clock)
{
    static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(2);
    readonly ConcurrentDictionary<string, (Caller Caller, DateTimeOffset Expires)> tickets = new();

    public string Issue(Caller caller)
    {
        foreach (var (key, value) in tickets)
            if (value.Expires < clock.GetUtcNow()) tickets.TryRemove(key, out _);
        var ticket = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        tickets[ticket] = (caller, clock.GetUtcNow() + Lifetime);
        return ticket;
    }

    public Caller? Redeem(string ticket) =>
        tickets.TryRemove(ticket, out var entry) && entry.Expires >= clock.GetUtcNow() ? entry.Caller : null;
}

public static class BrowserAuth
{
    public const string TeamRole = "team";
    public const string AdminRole = "admin";

    /// <summary>The caller a signed-in browser user stands for; null when not signed in.</summary>
    public static Caller? ToCaller(this ClaimsPrincipal user)
    {
        if (user.Identity?.IsAuthenticated != true) return null;
        if (user.IsInRole(AdminRole)) return Caller.Admin;
        return long.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var teamId)
            ? Caller.ForTeam(teamId, user.Identity.Name ?? "")
            : null;
    }

    public static IEndpointRouteBuilder MapBrowserAuth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/account/complete-signin", async (string ticket, string? returnUrl, SignInTickets tickets, SessionStamps sessions, HttpContext http) =>
        {
            var caller = tickets.Redeem(ticket);
            if (caller is null) return Results.Redirect("/signin?expired=1");
            var principal = await sessions.PrincipalAsync(caller, http.RequestAborted);
            if (principal is null) return Results.Redirect("/signin?expired=1");
            await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal);
            return Results.LocalRedirect(IsLocal(returnUrl) ? returnUrl! : caller.IsAdmin ? "/admin" : "/submit");
        });
        // POST only, with the antiforgery token of the layout's sign-out form.
        endpoints.MapPost("/account/signout", async (HttpContext http, IAntiforgery antiforgery) =>
        {
            if (!await antiforgery.IsRequestValidAsync(http)) return Results.BadRequest();
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect("/");
        });
        return endpoints;
    }

    /// <summary>
    /// Ends a browser session whose stamp is no longer current (<see cref="SessionStamps"/>): the team's
    /// token was rotated or expired, the team was deleted, or the admin secret changed.
    /// </summary>
    public static async Task ValidateSessionAsync(CookieValidatePrincipalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Principal is not { } principal) return;
        var sessions = context.HttpContext.RequestServices.GetRequiredService<SessionStamps>();
        if (!await sessions.IsCurrentAsync(principal, context.HttpContext.RequestAborted))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        }
    }

    static bool IsLocal(string? url) => !string.IsNullOrEmpty(url) && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal)
                                        && !url.StartsWith("/\\", StringComparison.Ordinal);
}
