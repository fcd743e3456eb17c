using Leaderboard.Web.Auth;
using Leaderboard.Web.Domain;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Leaderboard.Web.Components;

/// <summary>Pages that act for the signed-in team or admin.</summary>
public abstract class CallerComponentBase : ComponentBase
{
    [CascadingParameter] public Task<AuthenticationState>? AuthenticationState { get; set; }

    /// <summary>The signed-in caller, or null for an anonymous visitor.</summary>
    protected async Task<Caller?> GetCallerAsync() =>
        AuthenticationState is null ? null : (await AuthenticationState).User.ToCaller();
}
