using Mrc.Core.Data;
using Mrc.Core.Metrics;
using Mrc.Core.Runs;
using Mrc.Training.Configuration;
using Mrc.Training.ReaderTraining;
using Mrc.Training.Stages;
using Mrc.Training.Tracking;

namespace Mrc.Training.Sweeps;

/// <summary>
/// Trains a trial: the sweep's run configuration with the trial's values, its output in the trial's
/// folder (<c>trials/NNN/model</c>, the resolved <c>run.yaml</c> beside it), the halving budget as the
/// last stage's <c>max_steps</c>, and resumable checkpoints so an interrupted trial continues.
/// Each time a trial trains its last stage (once per rung, and again when a resumed sweep continues
/// it) that stage is recorded as a <c>sweep-trial</c> run named <c>SWEEP/trial-NNN</c>, tagged with
/// the sweep's name, in the run configuration's run store.
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

        string? runId = null;
        TrackedRun StartTrialRun()
        {
            var run = StartRun(plan, trial, rung);
            runId = run.RunId;
            progress?.Report(new TrainingProgress(0, 0, double.NaN, 0, 0, $"trial {trial.Id}: run {run.RunId} recorded in {run.Folder}"));
            return run;
        }

        (int steps, EvaluationResult? best) = continuing ? ContinueLastStage(plan, StartTrialRun, cancellation) : RunAllStages(plan, StartTrialRun, cancellation);
        if (best is null) throw new InvalidOperationException($"trial {trial.Id} finished without a validation score");
        return new RungResult(rung, steps, best.F1, best.ExactMatch, runId);
    }

    /// <summary>The trial's name in the run store: the sweep file's name (also the runs' tag) and the trial's number.</summary>
    public string RunNameOf(TrialState trial) => $"{SweepName}/trial-{trial.Id:000}";

    string SweepName => Path.GetFileNameWithoutExtension(sweep.File);

    /// <summary>
    /// The run of the trial's last stage: its options as config, plus which sweep, trial and rung it
    /// is and the swept values (<c>swept.KEY</c>), so the experiments page compares trials by them.
    /// </summary>
    TrackedRun StartRun(RunPlan plan, TrialState trial, int rung)
    {
        var last = plan.Stages[^1];
        var config = new Dictionary<string, string>(TrackedRun.ConfigOf(last.Reader!), StringComparer.Ordinal)
        {
            ["sweep"] = SweepName,
            ["trial"] = trial.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["rung"] = (rung + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in trial.Parameters) config["swept." + key] = value;
        return TrackedRun.Start(new RunStore(plan.Tracking.RunsFolder), RunKinds.SweepTrial, RunNameOf(trial), config,
            last.OutputFolder, [SweepName, .. plan.Tracking.Tags]);
    }

    (int, EvaluationResult?) RunAllStages(RunPlan plan, Func<TrackedRun> startRun, CancellationToken cancellation)
    {
        // Only the last stage is the trial's run: it is what the sweep ranks (the earlier stages' steps would overlap its own).
        var last = new StagedRun(plan, progress, stage => ReferenceEquals(stage, plan.Stages[^1]) ? startRun() : null).Run(cancellation)[^1];
        return (last.Steps, last.Best);
    }

    /// <summary>Later rungs continue the last stage from its checkpoint; the earlier stages are done.</summary>
    (int, EvaluationResult?) ContinueLastStage(RunPlan plan, Func<TrackedRun> startRun, CancellationToken cancellation)
    {
        using var run = startRun();
        var result = run.Record(tracker => new ReaderTrainer(plan.Stages[^1].Reader!, progress, tracker).Run(cancellation));
        RunConfigWriter.Save(plan, plan.OutputFolder);
        return (result.Steps, result.Best);
    }
}
