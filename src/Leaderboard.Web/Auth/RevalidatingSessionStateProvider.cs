using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.Extensions.Options;

namespace Mrc.Leaderboard.Auth;

/// <summary>
/// The authentication state of open pages. The cookie is checked on every HTTP request, but an open
/// page (a Blazor circuit) makes none, so it would keep a team's identity after its token is rotated.
/// Every <see cref="LeaderboardOptions.SessionRevalidationSeconds"/> this checks the page's user with the
/// same rule (<see cref="SessionStamps"/>); a stale one becomes anonymous at once, and the page then
/// shows what an anonymous visitor sees.
/// </summary>
public sealed class RevalidatingSessionStateProvider(
    ILoggerFactory loggerFactory, SessionStamps sessions, IOptions<LeaderboardOptions> options)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromSeconds(options.Value.SessionRevalidationSeconds);

    protected override Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(authenticationState);
        return sessions.IsCurrentAsync(authenticationState.User, cancellationToken);
    }
}
