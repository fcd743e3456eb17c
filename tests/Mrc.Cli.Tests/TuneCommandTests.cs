using Mrc.Training.Tests;

namespace Mrc.Cli.Tests;

/// <summary>`mrc tune lr-find` and `mrc tune batch-find` on a tiny run configuration.</summary>
[Collection(SeededTraining.Name)]
public sealed class TuneCommandTests(TinyTrainingSetup setup) : IClassFixture<TinyTrainingSetup>
{
    string WriteConfig()
    {
        string work = Path.Combine(setup.Folder, "tune-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        string config = Path.Combine(work, "run.yaml");
        File.WriteAllText(config, $"""
            model_config: {setup.ConfigFile}
            tokenizer: {setup.TokenizerFolder}
            out: model
            device: cpu
            train: {setup.TrainFile}
            max_seq_length: 96
            doc_stride: 32
            max_query_length: 24
            batch_size: 4
            """);
        return config;
    }

    [Fact]
    public async Task LrFind_WritesTheCurveAndPlot_AndSuggestsARate()
    {
        string config = WriteConfig();
        string folder = Path.Combine(Path.GetDirectoryName(config)!, "lr");

        var (exit, output, error) = await InProcessCli.RunAsync("tune", "lr-find", "--config", config, "--steps", "15", "--min-lr", "1e-5", "--out", folder);

        Assert.True(exit == 0, error);
        var csv = File.ReadAllLines(Path.Combine(folder, "lr-find.csv"));
        Assert.Equal("step,learning_rate,loss,smoothed_loss", csv[0]);
        Assert.InRange(csv.Length - 1, 3, 15);
        Assert.Equal(0x89, File.ReadAllBytes(Path.Combine(folder, "lr-find.png"))[0]);
        Assert.Contains("suggested learning rate", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BatchFind_ReportsEachSizeTried_AndTheLargestThatFits()
    {
        string config = WriteConfig();

        var (exit, output, error) = await InProcessCli.RunAsync("tune", "batch-find", "--config", config, "--memory-mb", "100000", "--max-batch", "4");
        var withoutBudget = await InProcessCli.RunAsync("tune", "batch-find", "--config", config);

        Assert.True(exit == 0, error);
        Assert.Contains("batch 2: fits", error, StringComparison.Ordinal);
        Assert.Contains("windows/s", error, StringComparison.Ordinal);
        Assert.Contains("largest batch that fits: 4", output, StringComparison.Ordinal);
        Assert.Equal(2, withoutBudget.Exit);
        Assert.Contains("--memory-mb is needed on the CPU", withoutBudget.Error, StringComparison.Ordinal);
    }
}
