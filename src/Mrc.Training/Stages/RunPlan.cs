using Mrc.Training.MaskedLm;
using Mrc.Training.ReaderTraining;

namespace Mrc.Training.Stages;

/// <summary>One stage ready to run: a reader (QA fine-tuning) or a masked-LM stage.</summary>
public sealed record PlannedStage(string Name, ReaderTrainingOptions? Reader, MlmTrainingOptions? Mlm)
{
    public string Task => Reader is not null ? "reader" : "mlm";
    public string OutputFolder => Reader?.OutputFolder ?? Mlm!.OutputFolder;
    public string StartModel => Reader?.ModelFolder ?? Mlm!.ModelFolder ?? $"a fresh model ({Mlm!.ConfigFile})";
}

/// <summary>The start model: a model folder, or a config.json and a tokenizer folder for a fresh model.</summary>
public sealed record RunStart(string? ModelFolder, string? ConfigFile, string? TokenizerFolder);

/// <summary>
/// Where each stage's run is recorded: the run store's folder, the run's name (a stage's run is
/// <c>NAME/STAGE</c>) and the tags every stage's run gets.
/// </summary>
public sealed record TrackingSettings(string RunsFolder, string Name, IReadOnlyList<string> Tags)
{
    public string RunNameOf(PlannedStage stage) => $"{Name}/{stage.Name}";
}

/// <summary>
/// A run configuration resolved into trainer options. <see cref="Configured"/> holds each stage as
/// the file describes it (what <c>run.yaml</c> records); <see cref="Stages"/> is what runs: the same
/// stages one after another, each starting from the previous one's output, or, with <c>mix</c>, one
/// stage on the shuffled union of their training files.
/// </summary>
public sealed record RunPlan(
    RunStart Start,
    string OutputFolder,
    string Device,
    string Head,
    bool Resume,
    bool Mix,
    TrackingSettings Tracking,
    IReadOnlyList<PlannedStage> Configured,
    IReadOnlyList<PlannedStage> Stages)
{
    /// <summary>
    /// The one-stage plan a flag-driven <c>mrc train reader</c> ran, so that its model folder gets the
    /// same <c>run.yaml</c> a configured run writes, and <c>mrc train --config run.yaml</c> repeats it.
    /// </summary>
    public static RunPlan OfSingleStage(ReaderTrainingOptions reader, TrackingSettings tracking)
    {
        var stage = new PlannedStage(StageNameOf(reader.OutputFolder), reader, null);
        return new RunPlan(new RunStart(reader.ModelFolder, null, null), reader.OutputFolder, reader.Device ?? "auto", reader.Head,
            reader.Resume, Mix: false, tracking, [stage], [stage]);
    }

    /// <summary>The one-stage plan a flag-driven <c>mrc train mlm</c> ran (see the reader overload).</summary>
    public static RunPlan OfSingleStage(MlmTrainingOptions mlm, TrackingSettings tracking)
    {
        var stage = new PlannedStage(StageNameOf(mlm.OutputFolder), null, mlm);
        return new RunPlan(new RunStart(mlm.ModelFolder, mlm.ConfigFile, mlm.TokenizerFolder), mlm.OutputFolder, mlm.Device ?? "auto",
            Head: "linear", Resume: false, Mix: false, tracking, [stage], [stage]);
    }

    static string StageNameOf(string outputFolder) => Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(outputFolder)));

    /// <summary>Intermediate stage outputs, the assembled fresh start model and the mixed training set: <c>OUT.stages/</c>.</summary>
    public static string StagesFolderOf(string outputFolder) =>
        Path.TrimEndingDirectorySeparator(Path.GetFullPath(outputFolder)) + ".stages";
}
