using Mrc.Core.Data;
using Mrc.Core.Metrics;
using Mrc.Training.Configuration;
using Mrc.Training.ReaderTraining;
using Mrc.Training.Stages;

namespace Mrc.Training.Sweeps;

/// <summary>
/// Trains a trial: the sweep's run configuration with the trial's values, its output in the trial's
/// folder (<c>trials/NNN/model</c>, the resolved <c>run.yaml</c> beside it), the halving budget as the
/// last stage's <c>max_steps</c>, and resumable checkpoints so an interrupted trial continues.
/// </summary>
public sealed class RunConfigTrialRunner(SweepConfig sweep, IProgress<TrainingProgress>? progress = null) : ITrialRunner
{
    /// <summary>Builds every trial's plan, so a bad value stops the sweep before any training.</summary>
    public void Validate(IEnumerable<TrialState> trials)
    {
        foreach (var trial in trials) Plan(trial, sweep.Halving?.BudgetAt(0));
    }

    public RunPlan Plan(TrialState trial, int? budgetSteps)
    {
        var run = RunConfigReader.Read(sweep.RunFile);
        foreach (var (key, value) in trial.Parameters)
        {
            try
            {
                run.Set($"{key}={value}");
            }
            catch (DataFormatException e)
            {
                var source = sweep.Parameters.First(p => p.Key == key).Source;
                throw source.Error($"parameter '{key}': {e.Problem}");
            }
        }
        run.SetFlag(RunKeys.Find("out")!, [Path.Combine(sweep.OutputFolder, trial.Folder, "model")]);
        run.SetFlag(RunKeys.Find("resume")!, ["true"]);
        if (budgetSteps is int budget)
            run.Set(run.Stages.Count > 0 ? $"stages.{run.Stages.Count}.max_steps={budget}" : $"max_steps={budget}");
        var plan = RunPlanner.Plan(run, $"mrc sweep --config {sweep.File} (trial {trial.Id})");
        if (plan.Stages[^1].Reader is not { ValidationFile: not null })
            throw new ConfigSource(sweep.RunFile).Error("a sweep ranks trials by dev F1: the last stage needs 'validation'");
        return plan;
    }

    public RungResult Run(TrialState trial, int rung, int? budgetSteps, bool continuing, CancellationToken cancellation)
    {
        var plan = Plan(trial, budgetSteps);
        string folder = Path.Combine(sweep.OutputFolder, trial.Folder);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, RunConfigWriter.FileName), RunConfigWriter.Write(plan));

        (int steps, EvaluationResult? best) = continuing ? ContinueLastStage(plan, cancellation) : RunAllStages(plan, cancellation);
        if (best is null) throw new InvalidOperationException($"trial {trial.Id} finished without a validation score");
        return new RungResult(rung, steps, best.F1, best.ExactMatch);
    }

    (int, EvaluationResult?) RunAllStages(RunPlan plan, CancellationToken cancellation)
    {
        var last = new StagedRun(plan, progress).Run(cancellation)[^1];
        return (last.Steps, last.Best);
    }

    /// <summary>Later rungs continue the last stage from its checkpoint; the earlier stages are done.</summary>
    (int, EvaluationResult?) ContinueLastStage(RunPlan plan, CancellationToken cancellation)
    {
        var result = new ReaderTrainer(plan.Stages[^1].Reader!, progress).Run(cancellation);
        RunConfigWriter.Save(plan, plan.OutputFolder);
        return (result.Steps, result.Best);
    }
}
