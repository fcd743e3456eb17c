using Mrc.Core.Runs;
using Mrc.Tests;
using Mrc.Training.Tests;

namespace Mrc.Cli.Tests;

/// <summary>`mrc train --config`: a tiny run from a file, repeated from its saved run.yaml; bad files exit 2 before training.</summary>
[Collection(SeededTraining.Name)]
public sealed class TrainConfigCommandTests(TinyTrainingSetup setup) : IClassFixture<TinyTrainingSetup>
{
    string NewFolder(string name) => Path.Combine(setup.Folder, name + "-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task SavedRunYaml_RepeatsTheRun_WithTheSameWeights()
    {
        string work = NewFolder("config-run");
        Directory.CreateDirectory(work);
        string config = Path.Combine(work, "run.yaml");
        File.WriteAllText(config, $"""
            model_config: {setup.ConfigFile}
            tokenizer: {setup.TokenizerFolder}
            out: first
            device: cpu
            train: {setup.TrainFile}
            validation: {setup.ValidationFile}
            max_seq_length: 96
            doc_stride: 32
            max_query_length: 24
            batch_size: 8
            learning_rate: 3e-3
            max_steps: 3
            """);

        // A flag overrides the file (3 steps → 2), and the saved run.yaml records the value used,
        // the run store and the run's name and tags included.
        string runs = Path.Combine(work, "runs");
        var first = await InProcessCli.RunAsync("train", "--config", config, "--max-steps", "2", "--runs-dir", runs, "--run-name", "repeat", "--tag", "a", "--tag", "b");
        string firstOut = Path.Combine(work, "first");
        string saved = Path.Combine(firstOut, "run.yaml");
        var second = await InProcessCli.RunAsync("train", "--config", saved, "--set", $"out={Path.Combine(work, "second")}");

        Assert.True(first.Exit == 0, first.Error);
        Assert.True(second.Exit == 0, second.Error);
        var recorded = new RunStore(runs).List();
        Assert.Equal(2, recorded.Count);
        Assert.All(recorded, r =>
        {
            Assert.Equal("repeat/train", r.Name);
            Assert.Equal(["a", "b"], r.Tags);
            Assert.Equal(RunStatuses.Finished, r.Status);
        });
        Assert.Equal([Path.Combine(work, "second"), firstOut], recorded.Select(r => r.Output)); // newest first
        Assert.Contains($"run {recorded[1].Id} recorded in", first.Error, StringComparison.Ordinal);
        Assert.Contains("max_steps: 2", File.ReadAllText(saved), StringComparison.Ordinal);
        Assert.Contains("stage 'train': 2 steps", first.Error, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(Path.Combine(firstOut, "model.safetensors")),
            File.ReadAllBytes(Path.Combine(work, "second", "model.safetensors")));
    }

    [Fact]
    public async Task FlagDrivenTrainReader_SavesARunYaml_ThatRepeatsTheRun()
    {
        string work = NewFolder("flag-run");
        string first = Path.Combine(work, "first"), second = Path.Combine(work, "second");
        string shipped = Path.Combine(TestData.RepositoryRoot, "models", "ko-reader-small", "1");

        var flags = await InProcessCli.RunAsync("train", "reader", "--train", setup.TrainFile, "--model", shipped, "--out", first,
            "--max-steps", "2", "--batch-size", "2", "--max-seq-length", "64", "--doc-stride", "16", "--learning-rate", "1e-3",
            "--device", "cpu", "--runs-dir", Path.Combine(work, "runs"), "--run-name", "flags");
        string saved = Path.Combine(first, "run.yaml");
        var repeated = await InProcessCli.RunAsync("train", "--config", saved, "--set", $"out={second}");

        Assert.True(flags.Exit == 0, flags.Error);
        Assert.True(repeated.Exit == 0, repeated.Error);
        string yaml = File.ReadAllText(saved);
        foreach (string line in new[] { $"model: \"{Path.GetFullPath(shipped)}\"", "max_steps: 2", "learning_rate: 0.001", "name: \"flags\"" })
            Assert.True(yaml.Contains(line, StringComparison.Ordinal), $"run.yaml lacks '{line}':\n{yaml}");
        Assert.Equal(File.ReadAllBytes(Path.Combine(first, "model.safetensors")), File.ReadAllBytes(Path.Combine(second, "model.safetensors")));
    }

    [Theory]
    [InlineData("train: data.json\nmodel: m\nout: o\nwarmup: 0.1\n", "run.yaml:4:1: unknown key 'warmup'")]
    [InlineData("train: missing.json\nmodel: .\nout: o\n", "run.yaml:1:1: key 'train': file not found")]
    [InlineData("train: data.json\nmodel: .\nout: o\nbatch_size: sixteen\n", "run.yaml:4:1: key 'batch_size': expected an integer, got 'sixteen'")]
    [InlineData("train: data.json\nmodel: .\nout: o\ntracking:\n  runs-dir: r\n", "run.yaml:5:3: unknown key 'tracking.runs-dir' (did you mean 'tracking.runs_dir'?)")]
    public async Task BadConfig_ExitsWith2_NamingKeyAndLine(string yaml, string expected)
    {
        string work = NewFolder("bad-config");
        Directory.CreateDirectory(work);
        File.WriteAllText(Path.Combine(work, "data.json"), "{}");
        File.WriteAllText(Path.Combine(work, "run.yaml"), yaml);

        var (exit, _, error) = await InProcessCli.RunAsync("train", "--config", Path.Combine(work, "run.yaml"));

        Assert.Equal(2, exit);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(work, "o")));
    }
}
