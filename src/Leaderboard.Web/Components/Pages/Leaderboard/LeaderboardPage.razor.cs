using Mrc.Leaderboard.Domain;
using Microsoft.AspNetCore.Components;

namespace Mrc.Leaderboard.Components.Pages.Leaderboard;

public partial class LeaderboardPage
{
    [Inject] EvaluationSetService Sets { get; set; } = default!;
    [Inject] SubmissionService Submissions { get; set; } = default!;
    [Inject] NavigationManager Navigation { get; set; } = default!;

    [Parameter] public string? SetName { get; set; }

    IReadOnlyList<EvaluationSetInfo>? sets;
    LeaderboardView? board;
    string? selected;
    string? error;
    bool showPrivate;

    protected override async Task OnParametersSetAsync()
    {
        sets ??= await Sets.ListAsync();
        selected = SetName ?? (sets.Count > 0 ? sets[0].Name : null);
        if (selected is null) return;
        try
        {
            var caller = await GetCallerAsync();
            board = await Submissions.GetLeaderboardAsync(caller, selected);
            showPrivate = caller?.CanSeePrivate(board.Set.PrivateRevealed) ?? board.Set.PrivateRevealed;
            error = null;
        }
        catch (LeaderboardException e)
        {
            board = null;
            error = e.Message;
        }
    }

    void OnSetChanged(string name) => Navigation.NavigateTo($"/leaderboard/{Uri.EscapeDataString(name)}");
}
