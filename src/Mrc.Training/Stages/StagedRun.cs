using Mrc.Core.Metrics;
using Mrc.Core.Runs;
using Mrc.Training.Configuration;
using Mrc.Training.MaskedLm;
using Mrc.Training.ReaderTraining;
using Mrc.Training.Tracking;

namespace Mrc.Training.Stages;

/// <summary>
/// Runs a <see cref="RunPlan"/>: each stage starts from the previous stage's output (the first from
/// the start model), the last one writes the output folder, and the resolved configuration is saved
/// there as <c>run.yaml</c>. <paramref name="track"/> starts the run a stage is recorded as (null:
/// not recorded); each recorded run ends finished, failed or interrupted with its stage.
/// </summary>
public sealed class StagedRun(RunPlan plan, IProgress<TrainingProgress>? progress = null, Func<PlannedStage, TrackedRun?>? track = null)
{
    public sealed record StageResult(string Name, string OutputFolder, int Steps, double FinalLoss, EvaluationResult? Best, int BestStep);

    static readonly string[] TokenizerFiles = ["vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"];

    public IReadOnlyList<StageResult> Run(CancellationToken cancellation = default)
    {
        Prepare(plan);
        if (plan.Mix) Report($"mix: {plan.Configured.Count} training files shuffled into {plan.Stages[0].Reader!.TrainFile}");

        var results = new List<StageResult>();
        for (int i = 0; i < plan.Stages.Count; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            var stage = plan.Stages[i];
            string data = stage.Reader?.TrainFile ?? string.Join(", ", stage.Mlm!.CorpusFiles.Select(Path.GetFileName));
            Report($"stage {i + 1}/{plan.Stages.Count} '{stage.Name}' ({stage.Task}) on {data}, from {stage.StartModel}");
            using var run = track?.Invoke(stage);
            if (run is not null) Report($"run {run.RunId} recorded in {run.Folder}");
            results.Add(run is null ? Train(stage, null, cancellation) : run.Record(tracker => Train(stage, tracker, cancellation)));
        }
        RunConfigWriter.Save(plan, plan.OutputFolder);
        return results;
    }

    StageResult Train(PlannedStage stage, IRunTracker? tracker, CancellationToken cancellation)
    {
        if (stage.Reader is { } reader)
        {
            var r = new ReaderTrainer(reader, progress, tracker).Run(cancellation);
            return new StageResult(stage.Name, reader.OutputFolder, r.Steps, r.FinalLoss, r.Best, r.BestStep);
        }
        var m = new MlmTrainer(stage.Mlm!, progress, tracker).Run(cancellation);
        return new StageResult(stage.Name, stage.Mlm!.OutputFolder, m.Steps, m.FinalLoss, null, 0);
    }

    /// <summary>
    /// Records every stage in the plan's run store as its own run: kind <c>reader</c> or <c>mlm</c>,
    /// named <c>RUN_NAME/STAGE</c>, with the plan's tags, the stage's options as its config and its
    /// output folder (so the leaderboard finds the run of a model version).
    /// </summary>
    public static Func<PlannedStage, TrackedRun?> TrackEachStage(RunPlan plan) => stage =>
        TrackedRun.Start(new RunStore(plan.Tracking.RunsFolder), stage.Reader is not null ? RunKinds.Reader : RunKinds.Mlm,
            plan.Tracking.RunNameOf(stage), (object?)stage.Reader ?? stage.Mlm!, stage.OutputFolder, plan.Tracking.Tags);

    /// <summary>
    /// What the first stage reads and the file does not hold as such: a fresh reader's start folder
    /// (config.json and the tokenizer only, so the reader trains from a fresh initialisation) and the
    /// mixed training set. The finders call this too.
    /// </summary>
    public static void Prepare(RunPlan plan)
    {
        var first = plan.Stages[0];
        if (plan.Start.ModelFolder is null && first.Reader is { } reader)
        {
            Directory.CreateDirectory(reader.ModelFolder);
            File.Copy(plan.Start.ConfigFile!, Path.Combine(reader.ModelFolder, "config.json"), overwrite: true);
            foreach (var file in TokenizerFiles)
            {
                string source = Path.Combine(plan.Start.TokenizerFolder!, file);
                if (File.Exists(source)) File.Copy(source, Path.Combine(reader.ModelFolder, file), overwrite: true);
            }
        }
        if (plan.Mix)
        {
            var mixed = first.Reader!;
            MixedTrainingSet.Write(plan.Configured.Select(s => s.Reader!.TrainFile), mixed.Seed, mixed.TrainFile);
        }
    }

    void Report(string message) => progress?.Report(new TrainingProgress(0, 0, double.NaN, 0, 0, message));
}
