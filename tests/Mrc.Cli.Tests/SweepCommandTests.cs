using System.Text.Json;
using Mrc.Core.Runs;
using Mrc.Training.Tests;

namespace Mrc.Cli.Tests;

/// <summary>`mrc sweep`: a tiny real sweep of two trials with one rung of halving, its state, the copied best model, and a resume that runs nothing again.</summary>
[Collection(SeededTraining.Name)]
public sealed class SweepCommandTests(TinyTrainingSetup setup) : IClassFixture<TinyTrainingSetup>
{
    [Fact]
    public async Task TwoTrials_HalvedToOne_BestCopiedAsTheNextVersion_ResumeRunsNothingAgain()
    {
        string work = Path.Combine(setup.Folder, "sweep-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(work, "models", "tiny", "1")); // an existing version: the best becomes 2
        File.WriteAllText(Path.Combine(work, "models", "tiny", "1", "config.json"), "{}");
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
            tracking:
              runs_dir: runs
            """);
        string sweep = Path.Combine(work, "sweep.yaml");
        File.WriteAllText(sweep, """
            run: run.yaml
            out: sweep
            parameters:
              learning_rate: [1e-3, 3e-3]
            halving: {eta: 2, min_steps: 1, rungs: 2}
            repository: models
            model_name: tiny
            """);

        var first = await InProcessCli.RunAsync("sweep", "--config", sweep);
        var again = await InProcessCli.RunAsync("sweep", "--config", sweep, "--resume");

        Assert.True(first.Exit == 0, first.Error);
        using var state = JsonDocument.Parse(File.ReadAllText(Path.Combine(work, "sweep", "sweep.json")));
        var trials = state.RootElement.GetProperty("trials").EnumerateArray().ToList();
        Assert.Equal(2, trials.Count);
        int best = state.RootElement.GetProperty("best_trial").GetInt32();
        var bestResults = trials[best - 1].GetProperty("results").EnumerateArray().ToList();
        Assert.Equal([1, 2], bestResults.Select(r => r.GetProperty("steps").GetInt32())); // continued from step 1 to 2
        Assert.Single(trials[2 - best].GetProperty("results").EnumerateArray());         // the other stopped after rung 1
        Assert.Equal(0, trials[2 - best].GetProperty("stopped_after_rung").GetInt32());
        Assert.True(File.Exists(Path.Combine(work, "sweep", "trials", "001", "run.yaml")));
        Assert.True(File.Exists(Path.Combine(work, "models", "tiny", "2", "model.safetensors")));
        Assert.True(File.Exists(Path.Combine(work, "models", "tiny", "2", "run.yaml")));

        Assert.True(again.Exit == 0, again.Error);
        Assert.Contains("stage 1/1 'train'", first.Error, StringComparison.Ordinal);
        Assert.Contains("resuming at step 1", first.Error, StringComparison.Ordinal);       // rung 2 continued the checkpoint
        Assert.DoesNotContain("stage 1/1 'train'", again.Error, StringComparison.Ordinal); // nothing trained
        Assert.DoesNotContain("resuming", again.Error, StringComparison.Ordinal);
        Assert.Contains("not run again", again.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(work, "models", "tiny", "3")));
        // Every trained rung is a sweep-trial run: both trials at rung 1, the best again at rung 2; the resume trained nothing.
        var runs = new RunStore(Path.Combine(work, "runs")).List();
        Assert.Equal(3, runs.Count);
        Assert.All(runs, r => Assert.Equal((RunKinds.SweepTrial, RunStatuses.Finished, "sweep"), (r.Kind, r.Status, r.Tags[0])));
        Assert.Equal(2, runs.Count(r => r.Name == $"sweep/trial-{best:000}"));
    }
}
