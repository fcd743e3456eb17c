using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Mrc.Leaderboard.Domain;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace Mrc.Leaderboard.Auth;

/// <summary>
/// Browser sign-in. The sign-in page (interactive) checks the token or admin secret and gets a
/// one-time ticket, bound to that page's antiforgery token; the page then posts the ticket with the
/// token to /account/complete-signin, which sets the authentication cookie (only a plain HTTP response
/// can set one). The antiforgery check ties the POST to the browser's antiforgery cookie, and the
/// binding ties the ticket to the page that asked: a ticket taken to another browser, as a link or a
/// form on another site (login CSRF), signs nothing in.
/// </summary>
public sealed class SignInTickets(TimeProvider clock)
{
    static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(2);
    readonly ConcurrentDictionary<string, (Caller Caller, string BrowserToken, DateTimeOffset Expires)> tickets = new();

    /// <summary>A ticket for <paramref name="caller"/> that only a POST carrying <paramref name="browserToken"/> redeems.</summary>
    public string Issue(Caller caller, string browserToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(browserToken);
        foreach (var (key, value) in tickets)
            if (value.Expires < clock.GetUtcNow()) tickets.TryRemove(key, out _);
        var ticket = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        tickets[ticket] = (caller, browserToken, clock.GetUtcNow() + Lifetime);
        return ticket;
    }

    /// <summary>The ticket's caller, once, when it is unexpired and presented with the token it was issued for.</summary>
    public Caller? Redeem(string ticket, string browserToken) =>
        tickets.TryRemove(ticket, out var entry) && entry.Expires >= clock.GetUtcNow()
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(entry.BrowserToken), Encoding.UTF8.GetBytes(browserToken))
            ? entry.Caller
            : null;
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
        endpoints.MapPost("/account/complete-signin", async (
            HttpContext http, IAntiforgery antiforgery, IOptions<AntiforgeryOptions> antiforgeryOptions, SignInTickets tickets, SessionStamps sessions) =>
        {
            // A failed check is shown as an expired sign-in: the browser that asked gets a fresh page.
            if (!await antiforgery.IsRequestValidAsync(http)) return Results.Redirect("/signin?expired=1");
            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            string returnUrl = form["returnUrl"].ToString();
            var caller = tickets.Redeem(form["ticket"].ToString(), form[antiforgeryOptions.Value.FormFieldName].ToString());
            var principal = caller is null ? null : await sessions.PrincipalAsync(caller, http.RequestAborted);
            if (caller is null || principal is null) return Results.Redirect("/signin?expired=1");
            await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal);
            return Results.LocalRedirect(IsLocal(returnUrl) ? returnUrl : caller.IsAdmin ? "/admin" : "/submit");
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
