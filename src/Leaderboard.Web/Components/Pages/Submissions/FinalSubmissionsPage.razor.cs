using Microsoft.AspNetCore.Components;
using Mrc.Leaderboard.Domain;

namespace Mrc.Leaderboard.Components.Pages.Submissions;

/// <summary>A team chooses the submissions of a set that count for the private ranking.</summary>
public partial class FinalSubmissionsPage
{
    [Inject] EvaluationSetService Sets { get; set; } = default!;
    [Inject] FinalSubmissionService Finals { get; set; } = default!;
    [Inject] NavigationManager Navigation { get; set; } = default!;

    [Parameter] public string? SetName { get; set; }

    IReadOnlyList<EvaluationSetInfo>? sets;
    string? selected;
    FinalChoiceView? view;
    // What the team has ticked; the marks stored change only on saving.
    readonly HashSet<long> checkedIds = [];
    string? message;
    bool messageIsError;
    bool busy;

    protected override async Task OnParametersSetAsync()
    {
        sets ??= await Sets.ListAsync();
        selected = SetName ?? (sets.Count > 0 ? sets[0].Name : null);
        message = null;
        if (selected is null || await GetCallerAsync() is not { } caller) return;
        try
        {
            Show(await Finals.GetAsync(caller, selected));
        }
        catch (LeaderboardException e)
        {
            (view, message, messageIsError) = (null, e.Korean, true);
        }
    }

    void OnSetChanged(string name) => Navigation.NavigateTo($"/final/{Uri.EscapeDataString(name)}");

    void Toggle(long id, bool on)
    {
        if (on) checkedIds.Add(id);
        else checkedIds.Remove(id);
    }

    Task SaveAsync() => StoreAsync([.. checkedIds]);

    Task ClearAsync() => StoreAsync([]);

    async Task StoreAsync(IReadOnlyCollection<long> ids)
    {
        if (selected is null || await GetCallerAsync() is not { } caller) return;
        busy = true;
        try
        {
            Show(await Finals.SetAsync(caller, selected, ids));
            message = view!.Chosen
                ? $"최종 제출: {string.Join(", ", view.FinalIds.Select(id => $"#{id}"))}"
                : "선택을 해제했습니다. 공개 점수가 가장 높은 제출이 최종 제출이 됩니다.";
            messageIsError = false;
        }
        catch (LeaderboardException e)
        {
            (message, messageIsError) = (e.Korean, true);
        }
        finally
        {
            busy = false;
        }
    }

    void Show(FinalChoiceView choice)
    {
        view = choice;
        checkedIds.Clear();
        if (choice.Chosen) checkedIds.UnionWith(choice.FinalIds);
    }
}
