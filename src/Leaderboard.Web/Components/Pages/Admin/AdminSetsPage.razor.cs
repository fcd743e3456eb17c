using Mrc.Leaderboard.Domain;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.Options;
using MudBlazor;

namespace Mrc.Leaderboard.Components.Pages.Admin;

public partial class AdminSetsPage
{
    [Inject] EvaluationSetService Sets { get; set; } = default!;
    [Inject] IOptions<LeaderboardOptions> Options { get; set; } = default!;
    [Inject] IDialogService Dialogs { get; set; } = default!;

    IReadOnlyList<EvaluationSetInfo> sets = [];
    string name = "";
    double privateShare;
    IBrowserFile? file;
    string? message;
    bool messageIsError;
    bool busy;

    protected override async Task OnInitializedAsync()
    {
        privateShare = Options.Value.PrivateShare;
        sets = await Sets.ListAsync();
    }

    void OnFileChosen(IBrowserFile chosen)
    {
        file = chosen;
        if (string.IsNullOrWhiteSpace(name)) name = Path.GetFileNameWithoutExtension(chosen.Name);
    }

    async Task RegisterAsync()
    {
        busy = true;
        try
        {
            await using var stream = file!.OpenReadStream(Options.Value.MaxUploadBytes);
            var set = await Sets.RegisterAsync(name, file.Name, stream, privateShare);
            message = $"\"{set.Name}\" 등록: {set.QuestionCount}문항 (공개 {set.PublicCount}, 비공개 {set.PrivateCount}).";
            messageIsError = false;
            file = null;
            name = "";
            sets = await Sets.ListAsync();
        }
        catch (LeaderboardException e)
        {
            (message, messageIsError) = (e.Message, true);
        }
        catch (IOException e)
        {
            (message, messageIsError) = ($"{file?.Name}: {e.Message}", true);
        }
        finally
        {
            busy = false;
        }
    }

    async Task RevealAsync(EvaluationSetInfo set, bool revealed)
    {
        await Sets.SetPrivateRevealedAsync(set.Id, revealed);
        sets = await Sets.ListAsync();
    }

    async Task DeleteAsync(EvaluationSetInfo set)
    {
        bool? confirmed = await Dialogs.ShowMessageBoxAsync(
            "평가 세트 삭제", $"\"{set.Name}\"와 그 제출을 모두 삭제할까요?", yesText: "삭제", cancelText: "취소");
        if (confirmed != true) return;
        await Sets.DeleteAsync(set.Id, withSubmissions: true);
        sets = await Sets.ListAsync();
    }
}
