using Mrc.Leaderboard.Auth;
using Mrc.Leaderboard.Domain;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Mrc.Leaderboard.Components;

/// <summary>Pages that act for the signed-in team or admin.</summary>
public abstract class CallerComponentBase : ComponentBase
{
    [CascadingParameter] public Task<AuthenticationState>? AuthenticationState { get; set; }

    /// <summary>The signed-in caller, or null for an anonymous visitor.</summary>
    protected async Task<Caller?> GetCallerAsync() =>
        AuthenticationState is null ? null : (await AuthenticationState).User.ToCaller();
}
