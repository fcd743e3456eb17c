using Mrc.Leaderboard.Domain;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Mrc.Leaderboard.Components.Pages.Admin;

public partial class AdminTeamsPage
{
    [Inject] TeamService Teams { get; set; } = default!;
    [Inject] AuditLog Audit { get; set; } = default!;
    [Inject] IDialogService Dialogs { get; set; } = default!;

    const string Actor = "admin (browser)";

    IReadOnlyList<TeamInfo> teams = [];
    string name = "";
    string? shownToken;
    string? shownFor;
    string? error;

    protected override async Task OnInitializedAsync() => teams = await Teams.ListAsync();

    async Task CreateAsync()
    {
        error = null;
        try
        {
            var (team, token) = await Audit.RunAsync(Actor, "team.create", name, () => Teams.CreateAsync(name));
            (shownFor, shownToken, name) = (team.Name, token, "");
            teams = await Teams.ListAsync();
        }
        catch (LeaderboardException e)
        {
            error = e.Korean;
        }
    }

    async Task RotateAsync(TeamInfo team)
    {
        shownToken = await Audit.RunAsync(Actor, "team.rotate-token", team.Name, () => Teams.RotateTokenAsync(team.Id));
        shownFor = team.Name;
        teams = await Teams.ListAsync();
    }

    async Task DeleteAsync(TeamInfo team)
    {
        bool? confirmed = await Dialogs.ShowMessageBoxAsync(
            "팀 삭제", $"\"{team.Name}\" 팀과 그 제출을 모두 삭제할까요?", yesText: "삭제", cancelText: "취소");
        if (confirmed != true) return;
        await Audit.RunAsync(Actor, "team.delete", $"{team.Name} (with submissions)", () => Teams.DeleteAsync(team.Id, withSubmissions: true));
        teams = await Teams.ListAsync();
    }
}
