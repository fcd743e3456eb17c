using Microsoft.AspNetCore.Components;
using Mrc.Leaderboard.Domain;

namespace Mrc.Leaderboard.Components.Pages.Submissions;

/// <summary>Two submissions question by question (<see cref="ComparisonService"/>); the pair is in the address, ?a=…&amp;b=….</summary>
public partial class ComparePage
{
    [Inject] ComparisonService Comparisons { get; set; } = default!;
    [Inject] SubmissionService Submissions { get; set; } = default!;
    [Inject] NavigationManager Navigation { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "a")] public long? A { get; set; }
    [SupplyParameterFromQuery(Name = "b")] public long? B { get; set; }

    IReadOnlyList<SubmissionView>? mine;
    ComparisonView? view;
    string? error;

    protected override async Task OnParametersSetAsync()
    {
        if (await GetCallerAsync() is not { } caller) return;
        mine ??= await Submissions.ListMineAsync(caller);
        (view, error) = (null, null);
        if (A is not { } a || B is not { } b) return;
        try
        {
            view = await Comparisons.CompareAsync(caller, a, b);
        }
        catch (LeaderboardException e)
        {
            error = e.Korean;
        }
    }

    void Go(long? a, long? b) =>
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters("/compare", new Dictionary<string, object?> { ["a"] = a, ["b"] = b }));

    static string Answer(string answer) => answer.Length == 0 ? "(답 없음)" : answer;

    static string CauseText(MissCause cause) => cause switch
    {
        MissCause.Retrieval => "검색 실패",
        MissCause.Reading => "읽기 실패",
        _ => "알 수 없음 (예측 파일)",
    };
}
