namespace Mrc.Training.Sweeps;

/// <summary>Runs one trial to a step budget (null: its full configuration) and returns its best dev scores.</summary>
public interface ITrialRunner
{
    /// <param name="continuing">True on later rungs of halving: continue the trial's last stage from its checkpoint.</param>
    RungResult Run(TrialState trial, int rung, int? budgetSteps, bool continuing, CancellationToken cancellation);
}

/// <summary>
/// A sweep's schedule: every trial at rung 0, then (with halving) the best 1/η of them at η times the
/// steps, rung after rung; the state is saved after each trial, and a resumed sweep runs only what
/// has no result yet. Knows nothing of models: <see cref="ITrialRunner"/> trains.
/// </summary>
public sealed class SweepRunner(SweepConfig config, ITrialRunner runner, Action<string>? report = null)
{
    public SweepState Run(bool resume, CancellationToken cancellation = default)
    {
        var state = StartOrResume(resume);
        int rungs = config.Halving?.Rungs ?? 1;
        var alive = state.Trials.Select(t => t.Id).ToList();
        for (int rung = 0; rung < rungs; rung++)
        {
            int? budget = config.Halving?.BudgetAt(rung);
            report?.Invoke($"rung {rung + 1}/{rungs}: {alive.Count} trial(s){(budget is null ? "" : $", {budget} steps")}");
            foreach (int id in alive)
            {
                cancellation.ThrowIfCancellationRequested();
                var trial = state.Trials.Single(t => t.Id == id);
                if (trial.At(rung) is { } done)
                {
                    report?.Invoke($"trial {id}: done before (F1 {done.F1:F2}), not run again");
                    continue;
                }
                report?.Invoke($"trial {id}: {string.Join(", ", trial.Parameters.Select(p => $"{p.Key}={p.Value}"))}");
                var result = runner.Run(trial, rung, budget, continuing: rung > 0, cancellation);
                state = state.With(trial with { Results = [.. trial.Results, result] });
                state.Save(config.OutputFolder);
                report?.Invoke($"trial {id}: EM {result.ExactMatch:F2} F1 {result.F1:F2} after {result.Steps} steps");
            }
            if (rung == rungs - 1) break;
            var survivors = SuccessiveHalving.Survivors(alive.Select(id => (id, state.Trials.Single(t => t.Id == id).At(rung)!.F1)).ToList(), config.Halving!.Eta);
            foreach (int stopped in alive.Except(survivors))
                state = state.With(state.Trials.Single(t => t.Id == stopped) with { StoppedAfterRung = rung });
            alive = [.. survivors];
            state.Save(config.OutputFolder);
        }

        var best = alive.Select(id => state.Trials.Single(t => t.Id == id))
            .OrderByDescending(t => t.At(rungs - 1)!.F1).ThenBy(t => t.Id).First();
        state = state with { BestTrial = best.Id };
        state.Save(config.OutputFolder);
        return state;
    }

    SweepState StartOrResume(bool resume)
    {
        var trials = SweepSpace.Trials(config).Select((parameters, i) =>
            new TrialState(i + 1, parameters, Path.Combine("trials", (i + 1).ToString("000", System.Globalization.CultureInfo.InvariantCulture)), [])).ToList();
        var saved = SweepState.Load(config.OutputFolder);
        if (saved is null)
        {
            var state = new SweepState(config.File, config.Method, "f1", trials);
            state.Save(config.OutputFolder);
            return state;
        }
        if (!resume)
            throw new ArgumentException($"{config.OutputFolder} already holds a sweep ({SweepState.FileName}): add --resume to continue it, or choose another 'out'");
        bool same = saved.Trials.Count == trials.Count && saved.Trials.Zip(trials).All(p =>
            p.First.Parameters.Count == p.Second.Parameters.Count && p.First.Parameters.All(kv => p.Second.Parameters.GetValueOrDefault(kv.Key) == kv.Value));
        if (!same)
            throw new ArgumentException($"{config.File} now describes other trials than the sweep in {config.OutputFolder}; resume with the file it started from, or choose another 'out'");
        return saved;
    }
}
