using Mrc.Core.Runs;
using Mrc.Training.Sweeps;

namespace Mrc.Training.Tests.Workflow;

/// <summary>A tiny real sweep of two trials on the CPU, recorded in a run store as one sweep-trial run each.</summary>
[Collection(SeededTraining.Name)]
public sealed class TrackedSweepTests(TinyTrainingSetup setup) : IClassFixture<TinyTrainingSetup>
{
    [Fact]
    public void EachTrial_IsRecordedAsASweepTrialRun_TaggedWithTheSweep_WithItsValuesAndScores()
    {
        string work = Path.Combine(setup.Folder, "tracked-sweep-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        File.WriteAllText(Path.Combine(work, "run.yaml"), $"""
            model_config: {setup.ConfigFile}
            tokenizer: {setup.TokenizerFolder}
            out: unused
            device: cpu
            train: {setup.TrainFile}
            validation: {setup.ValidationFile}
            max_seq_length: 96
            doc_stride: 32
            max_query_length: 24
            batch_size: 8
            max_steps: 2
            tracking:
              runs_dir: runs
              tags: [tiny]
            """);
        string path = Path.Combine(work, "lr-search.yaml");
        File.WriteAllText(path, "run: run.yaml\nout: sweep\nparameters:\n  learning_rate: [1e-3, 3e-3]\n");
        var sweep = SweepConfigReader.Read(path);

        var state = new SweepRunner(sweep, new RunConfigTrialRunner(sweep)).Run(resume: false);

        var store = new RunStore(Path.Combine(work, "runs"));
        var runs = store.List().OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
        Assert.Equal(["lr-search/trial-001", "lr-search/trial-002"], runs.Select(r => r.Name));
        Assert.All(runs, r =>
        {
            Assert.Equal(RunKinds.SweepTrial, r.Kind);
            Assert.Equal(RunStatuses.Finished, r.Status);
            Assert.Equal(["lr-search", "tiny"], r.Tags);
            Assert.Equal("lr-search", r.Config["sweep"]);
        });
        Assert.Equal(["1e-3", "3e-3"], runs.Select(r => r.Config["swept.learning_rate"]));
        Assert.Equal(["0.001", "0.003"], runs.Select(r => r.Config["learning_rate"]));
        Assert.Equal([Path.Combine(work, "sweep", "trials", "001", "model"), Path.Combine(work, "sweep", "trials", "002", "model")],
            runs.Select(r => r.Output));
        // The run's evaluation is the score sweep.json ranks the trial by, and sweep.json names the run.
        foreach (var (run, trial) in runs.Zip(state.Trials))
        {
            var result = Assert.Single(trial.Results);
            Assert.Equal(run.Id, result.RunId);
            var evaluation = Assert.Single(store.ReadMetrics(run.Id), m => m.IsEvaluation);
            Assert.Equal(2, evaluation.Step);
            Assert.Equal(result.F1, evaluation.F1);
            Assert.Equal(result.ExactMatch, evaluation.ExactMatch);
        }
    }
}
