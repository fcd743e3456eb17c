using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Mrc.Leaderboard.Domain;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace Mrc.Leaderboard.Auth;

/// <summary>
/// The one rule of whether a browser session still stands. A session remembers a stamp of what it
/// signed in with: a team's token fingerprint, or for the administrator a keyed hash of the admin
/// secret (never the secret itself). Rotating or expiring the token, deleting the team, or changing
/// the admin secret changes the stamp and so ends the session. The cookie handler checks it on every
/// request, and <see cref="RevalidatingSessionStateProvider"/> on open pages.
/// </summary>
public sealed class SessionStamps(TeamService teams, IOptionsMonitor<LeaderboardOptions> options)
{
    const string TokenStampClaim = "leaderboard:token-stamp";
    const string AdminStampClaim = "leaderboard:admin-stamp";
    static readonly byte[] AdminStampPurpose = Encoding.UTF8.GetBytes("MrcGrpc leaderboard admin session");

    /// <summary>The signed-in principal of <paramref name="caller"/>, or null when its team is gone or its token expired.</summary>
    public async Task<ClaimsPrincipal?> PrincipalAsync(Caller caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var claims = new List<Claim>
        {
            new(ClaimTypes.Name, caller.Name),
            new(ClaimTypes.Role, caller.IsAdmin ? BrowserAuth.AdminRole : BrowserAuth.TeamRole),
        };
        if (caller.IsAdmin)
        {
            claims.Add(new(AdminStampClaim, AdminStamp()));
        }
        else if (caller.TeamId is { } teamId)
        {
            if (await teams.TokenStampAsync(teamId, cancellationToken) is not { } stamp) return null;
            claims.Add(new(ClaimTypes.NameIdentifier, teamId.ToString(CultureInfo.InvariantCulture)));
            claims.Add(new(TokenStampClaim, stamp));
        }
        return new ClaimsPrincipal(new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme));
    }

    /// <summary>Whether a signed-in principal's stamp is still the current one (anonymous: trivially yes).</summary>
    public async Task<bool> IsCurrentAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(principal);
        if (principal.Identity?.IsAuthenticated != true) return true;
        if (principal.IsInRole(BrowserAuth.AdminRole))
            return principal.FindFirstValue(AdminStampClaim) is { } presented && Same(presented, AdminStamp());
        if (principal.ToCaller() is not { TeamId: { } teamId }) return false;
        var current = await teams.TokenStampAsync(teamId, cancellationToken);
        return current is not null && principal.FindFirstValue(TokenStampClaim) is { } remembered && Same(remembered, current);
    }

    /// <summary>HMAC-SHA256 keyed with the admin secret: the same for the same secret, useless to recover it.</summary>
    string AdminStamp() => Convert.ToHexStringLower(
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(options.CurrentValue.AdminSecret), AdminStampPurpose));

    static bool Same(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
