using Mrc.Leaderboard.Domain;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Mrc.Leaderboard.Components.Pages.Admin;

public partial class AdminTeamsPage
{
    [Inject] TeamService Teams { get; set; } = default!;
    [Inject] IDialogService Dialogs { get; set; } = default!;

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
            var (team, token) = await Teams.CreateAsync(name);
            (shownFor, shownToken, name) = (team.Name, token, "");
            teams = await Teams.ListAsync();
        }
        catch (LeaderboardException e)
        {
            error = e.Message;
        }
    }

    async Task RotateAsync(TeamInfo team)
    {
        shownToken = await Teams.RotateTokenAsync(team.Id);
        shownFor = team.Name;
        teams = await Teams.ListAsync();
    }

    async Task DeleteAsync(TeamInfo team)
    {
        bool? confirmed = await Dialogs.ShowMessageBoxAsync(
            "팀 삭제", $"\"{team.Name}\" 팀과 그 제출을 모두 삭제할까요?", yesText: "삭제", cancelText: "취소");
        if (confirmed != true) return;
        await Teams.DeleteAsync(team.Id);
        teams = await Teams.ListAsync();
    }
}
