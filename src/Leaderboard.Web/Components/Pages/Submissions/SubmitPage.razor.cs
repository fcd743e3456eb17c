using Mrc.Clients;
using Mrc.Leaderboard.Data;
using Mrc.Leaderboard.Domain;
using Mrc.Leaderboard.Evaluation;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.Options;

namespace Mrc.Leaderboard.Components.Pages.Submissions;

public partial class SubmitPage
{
    [Inject] EvaluationSetService Sets { get; set; } = default!;
    [Inject] SubmissionService Submissions { get; set; } = default!;
    [Inject] NavigationManager Navigation { get; set; } = default!;
    [Inject] IOptions<LeaderboardOptions> Options { get; set; } = default!;

    IReadOnlyList<EvaluationSetInfo>? sets;
    IReadOnlyList<ModelChoice> models = [];
    string? setName;
    string description = "";
    int tab;
    string? modelKey;
    int topK;
    float? k1;
    float? b;
    float retrieverWeight;
    RunMode readMode = RunMode.Separate;
    string modelLabel = "";
    IBrowserFile? predictionsFile;
    string? modelsError;
    string? error;
    bool busy;

    protected override async Task OnInitializedAsync()
    {
        topK = Options.Value.DefaultTopK;
        sets = await Sets.ListAsync();
        setName = sets.Count > 0 ? sets[0].Name : null;
        try
        {
            models = await Submissions.ListModelsAsync(await GetCallerAsync());
            modelKey = models.Where(m => m.IsDefault).Select(Key).FirstOrDefault() ?? models.Select(Key).FirstOrDefault();
            if (models.Count == 0) modelsError = "리더 서비스에 모델이 없습니다.";
        }
        catch (ServiceUnavailableException e)
        {
            modelsError = "리더 서비스에 연결할 수 없습니다: " + e.Message;
        }
    }

    static string Key(ModelChoice m) => m.Name + "\u0001" + m.Version;

    void OnPredictionsChosen(IBrowserFile file) => predictionsFile = file;

    Task SubmitRunAsync() => SubmitAsync(caller =>
    {
        var parts = (modelKey ?? "").Split('\u0001');
        var run = new ModelRunRequest(parts[0], parts.Length > 1 ? parts[1] : null, topK, k1, b, readMode, retrieverWeight);
        return Submissions.SubmitModelRunAsync(caller, setName ?? "", run, description);
    });

    Task SubmitPredictionsAsync() => SubmitAsync(async caller =>
    {
        try
        {
            await using var stream = predictionsFile!.OpenReadStream(Options.Value.MaxUploadBytes);
            return await Submissions.SubmitPredictionsAsync(caller, setName ?? "", stream, modelLabel, description);
        }
        catch (IOException e)
        {
            throw new LeaderboardException(LeaderboardError.InvalidArgument, $"{predictionsFile!.Name}: {e.Message}");
        }
    });

    async Task SubmitAsync(Func<Caller, Task<SubmissionView>> submit)
    {
        busy = true;
        error = null;
        try
        {
            var caller = await GetCallerAsync() ?? throw new LeaderboardException(LeaderboardError.Unauthenticated, "로그인이 필요합니다.");
            var submission = await submit(caller);
            Navigation.NavigateTo($"/submissions/{submission.Id}");
        }
        catch (LeaderboardException e)
        {
            error = e.Korean;
        }
        finally
        {
            busy = false;
        }
    }
}
