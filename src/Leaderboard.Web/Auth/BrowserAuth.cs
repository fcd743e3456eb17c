using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using Mrc.Leaderboard.Domain;
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
    const string TokenStampClaim = "leaderboard:token-stamp";

    /// <summary>The caller a signed-in browser user stands for; null when not signed in.</summary>
    public static Caller? ToCaller(this ClaimsPrincipal user)
    {
        if (user.Identity?.IsAuthenticated != true) return null;
        if (user.IsInRole(AdminRole)) return Caller.Admin;
        return long.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var teamId)
            ? Caller.ForTeam(teamId, user.Identity.Name ?? "")
            : null;
    }

    public static ClaimsPrincipal ToPrincipal(Caller caller, string? tokenStamp = null)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.Name, caller.Name),
            new(ClaimTypes.Role, caller.IsAdmin ? AdminRole : TeamRole),
        };
        if (caller.TeamId is { } id) claims.Add(new(ClaimTypes.NameIdentifier, id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (tokenStamp is not null) claims.Add(new(TokenStampClaim, tokenStamp));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme));
    }

    public static IEndpointRouteBuilder MapBrowserAuth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/account/complete-signin", async (string ticket, string? returnUrl, SignInTickets tickets, TeamService teams, HttpContext http) =>
        {
            var caller = tickets.Redeem(ticket);
            if (caller is null) return Results.Redirect("/signin?expired=1");
            var stamp = caller.TeamId is { } teamId ? await teams.TokenStampAsync(teamId, http.RequestAborted) : null;
            if (caller.TeamId is not null && stamp is null) return Results.Redirect("/signin?expired=1");
            await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, ToPrincipal(caller, stamp));
            return Results.LocalRedirect(IsLocal(returnUrl) ? returnUrl! : caller.IsAdmin ? "/admin" : "/submit");
        });
        endpoints.MapGet("/account/signout", async (HttpContext http) =>
        {
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect("/");
        });
        return endpoints;
    }

    /// <summary>Ends a team's browser session once its token is rotated or expires, or the team is deleted.</summary>
    public static async Task ValidateTeamSessionAsync(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        if (principal is null || principal.IsInRole(AdminRole) || principal.ToCaller() is not { TeamId: { } teamId }) return;
        var teams = context.HttpContext.RequestServices.GetRequiredService<TeamService>();
        var current = await teams.TokenStampAsync(teamId, context.HttpContext.RequestAborted);
        if (current is null || current != principal.FindFirstValue(TokenStampClaim))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        }
    }

    static bool IsLocal(string? url) => !string.IsNullOrEmpty(url) && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal)
                                        && !url.StartsWith("/\\", StringComparison.Ordinal);
}
