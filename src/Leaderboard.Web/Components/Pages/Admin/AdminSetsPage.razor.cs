using System.Globalization;
using Mrc.Leaderboard.Auth;
using Mrc.Leaderboard.Domain;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.Options;
using MudBlazor;

namespace Mrc.Leaderboard.Components.Pages.Admin;

public partial class AdminSetsPage
{
    const string Actor = "admin (browser)";
    const string LocalFormat = "yyyy-MM-ddTHH:mm";

    [Inject] EvaluationSetService Sets { get; set; } = default!;
    [Inject] AuditLog Audit { get; set; } = default!;
    [Inject] BrowserTimeZone Zone { get; set; } = default!;
    [Inject] IOptions<LeaderboardOptions> Options { get; set; } = default!;
    [Inject] IDialogService Dialogs { get; set; } = default!;

    IReadOnlyList<EvaluationSetInfo> sets = [];
    string name = "";
    double privateShare;
    string? retrieverIndex;
    IBrowserFile? file;
    string? message;
    bool messageIsError;
    bool busy;

    // The schedule being edited, its fields as the browser's datetime-local inputs hold them (local time).
    EvaluationSetInfo? editing;
    string? opensText, closesText;
    int finalLimit;
    string? editIndex;
    TimeZoneInfo zone = TimeZoneInfo.Utc;

    protected override async Task OnInitializedAsync()
    {
        privateShare = Options.Value.PrivateShare;
        sets = await Sets.ListAsync();
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender) zone = await Zone.GetAsync();
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
            var set = await Audit.RunAsync(Actor, "set.register", name, () => Sets.RegisterAsync(name, file.Name, stream, privateShare, retrieverIndex: retrieverIndex));
            message = $"\"{set.Name}\" 등록: {set.QuestionCount}문항 (공개 {set.PublicCount}, 비공개 {set.PrivateCount}).";
            messageIsError = false;
            file = null;
            name = "";
            retrieverIndex = null;
            sets = await Sets.ListAsync();
        }
        catch (LeaderboardException e)
        {
            (message, messageIsError) = (e.Korean, true);
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
        await Audit.RunAsync(Actor, revealed ? "set.reveal" : "set.hide", set.Name, () => Sets.SetPrivateRevealedAsync(set.Id, revealed));
        sets = await Sets.ListAsync();
    }

    async Task DeleteAsync(EvaluationSetInfo set)
    {
        bool? confirmed = await Dialogs.ShowMessageBoxAsync(
            "평가 세트 삭제", $"\"{set.Name}\"와 그 제출을 모두 삭제할까요?", yesText: "삭제", cancelText: "취소");
        if (confirmed != true) return;
        await Audit.RunAsync(Actor, "set.delete", $"{set.Name} (with submissions)", () => Sets.DeleteAsync(set.Id, withSubmissions: true));
        sets = await Sets.ListAsync();
    }

    void EditSchedule(EvaluationSetInfo set)
    {
        editing = set;
        opensText = Local(set.OpensAt);
        closesText = Local(set.ClosesAt);
        finalLimit = set.FinalSubmissionLimit;
        editIndex = set.RetrieverIndex;
    }

    async Task SaveScheduleAsync()
    {
        if (editing is null) return;
        try
        {
            var schedule = new SetSchedule(Utc(opensText, "제출 시작"), Utc(closesText, "마감"), finalLimit);
            await Audit.RunAsync(Actor, "set.schedule", editing.Name, () => Sets.UpdateAsync(editing.Id, schedule, editIndex));
            (message, messageIsError) = ($"\"{editing.Name}\" 일정을 저장했습니다.", false);
            editing = null;
            sets = await Sets.ListAsync();
        }
        catch (LeaderboardException e)
        {
            (message, messageIsError) = (e.Korean, true);
        }
    }

    string? Local(DateTime? utc) => utc is { } time
        ? TimeZoneInfo.ConvertTimeFromUtc(time, zone).ToString(LocalFormat, CultureInfo.InvariantCulture)
        : null;

    DateTime? Utc(string? local, string field)
    {
        if (string.IsNullOrWhiteSpace(local)) return null;
        if (!DateTime.TryParseExact(local, LocalFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            && !DateTime.TryParseExact(local, LocalFormat + ":ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out time))
            throw new LeaderboardException(LeaderboardError.InvalidArgument, $"{field}: not a time", $"{field} 시각을 읽을 수 없습니다: {local}");
        try
        {
            return BrowserTimeZone.ToUtc(time, zone);
        }
        catch (ArgumentException)
        {
            // A wall-clock time skipped by a daylight-saving change.
            throw new LeaderboardException(LeaderboardError.InvalidArgument, $"{field}: no such local time", $"{field} 시각 {local}은 이 시간대에 없습니다.");
        }
    }
}
