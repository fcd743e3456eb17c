using Mrc.Core.Metrics;
using Mrc.Training.Configuration;
using Mrc.Training.MaskedLm;
using Mrc.Training.ReaderTraining;

namespace Mrc.Training.Stages;

/// <summary>
/// Runs a <see cref="RunPlan"/>: each stage starts from the previous stage's output (the first from
/// the start model), the last one writes the output folder, and the resolved configuration is saved
/// there as <c>run.yaml</c>.
/// </summary>
public sealed class StagedRun(RunPlan plan, IProgress<TrainingProgress>? progress = null)
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
            if (stage.Reader is { } reader)
            {
                var r = new ReaderTrainer(reader, progress).Run(cancellation);
                results.Add(new StageResult(stage.Name, reader.OutputFolder, r.Steps, r.FinalLoss, r.Best, r.BestStep));
            }
            else
            {
                var r = new MlmTrainer(stage.Mlm!, progress).Run(cancellation);
                results.Add(new StageResult(stage.Name, stage.Mlm!.OutputFolder, r.Steps, r.FinalLoss, null, 0));
            }
        }
        RunConfigWriter.Save(plan, plan.OutputFolder);
        return results;
    }

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
