using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mrc.Training.Sweeps;

/// <summary>A trial's result after one rung (without halving, the one full run), and the run that recorded it.</summary>
public sealed record RungResult(
    [property: JsonPropertyName("rung")] int Rung,
    [property: JsonPropertyName("steps")] int Steps,
    [property: JsonPropertyName("f1")] double F1,
    [property: JsonPropertyName("exact_match")] double ExactMatch,
    [property: JsonPropertyName("run_id")] string? RunId = null);

/// <summary>One trial: its values, its folder (run.yaml, model), its results per rung, and whether halving stopped it.</summary>
public sealed record TrialState(
    [property: JsonPropertyName("id")] int Id,
    [property: JsonPropertyName("parameters")] IReadOnlyDictionary<string, string> Parameters,
    [property: JsonPropertyName("folder")] string Folder,
    [property: JsonPropertyName("results")] IReadOnlyList<RungResult> Results,
    [property: JsonPropertyName("stopped_after_rung")] int? StoppedAfterRung = null)
{
    public RungResult? At(int rung) => Results.FirstOrDefault(r => r.Rung == rung);
}

/// <summary>
/// <c>sweep.json</c>: every trial with its values and results, the best trial, and where its model
/// went. Rewritten (atomically) after every trial, so an interrupted sweep resumes where it stopped.
/// </summary>
public sealed record SweepState(
    [property: JsonPropertyName("sweep")] string SweepFile,
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("metric")] string Metric,
    [property: JsonPropertyName("trials")] IReadOnlyList<TrialState> Trials,
    [property: JsonPropertyName("best_trial")] int? BestTrial = null,
    [property: JsonPropertyName("copied_to")] string? CopiedTo = null)
{
    public const string FileName = "sweep.json";

    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static SweepState? Load(string folder)
    {
        string path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<SweepState>(File.ReadAllText(path), Json)
                ?? throw new Mrc.Core.Data.DataFormatException(path, null, null, "empty sweep state");
        }
        catch (JsonException e)
        {
            throw new Mrc.Core.Data.DataFormatException(path, e.LineNumber + 1, e.BytePositionInLine + 1, $"unreadable sweep state: {e.Message}", e);
        }
    }

    public void Save(string folder)
    {
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, FileName);
        File.WriteAllText(path + ".saving", JsonSerializer.Serialize(this, Json));
        File.Move(path + ".saving", path, overwrite: true);
    }

    public SweepState With(TrialState trial) => this with { Trials = Trials.Select(t => t.Id == trial.Id ? trial : t).ToList() };
}
