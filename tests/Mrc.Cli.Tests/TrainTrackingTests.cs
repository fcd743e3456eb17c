using System.Text.Json.Nodes;
using Mrc.Core.Data;
using Mrc.Core.Runs;
using Mrc.Tests;

namespace Mrc.Cli.Tests;

/// <summary>`mrc train reader` records its run: run store, model card, `mrc runs list`.</summary>
public sealed class TrainTrackingTests : IDisposable
{
    readonly string work = Directory.CreateTempSubdirectory("mrc-train-tracking-").FullName;

    public void Dispose() => Directory.Delete(work, recursive: true);

    string TrainFile()
    {
        var partA = SquadJson.Load(TestData.KorQuadPartA);
        var article = partA.Articles[0];
        var path = Path.Combine(work, "train.json");
        SquadJson.Save(partA with { Articles = [article with { Paragraphs = [.. article.Paragraphs.Take(1)] }] }, path);
        return path;
    }

    [Fact]
    public async Task TrainReader_RecordsTheRun_AndTheModelCardNamesIt()
    {
        string runs = Path.Combine(work, "runs"), output = Path.Combine(work, "models", "tiny", "1");
        string shipped = Path.Combine(TestData.RepositoryRoot, "models", "ko-reader-small", "1");

        var (exit, _, error) = await InProcessCli.RunAsync("train", "reader", "--train", TrainFile(), "--model", shipped, "--out", output,
            "--max-steps", "2", "--batch-size", "2", "--max-seq-length", "64", "--doc-stride", "16", "--device", "cpu",
            "--runs-dir", runs, "--run-name", "작은 실행", "--tag", "smoke");

        Assert.True(exit == 0, error);
        var run = Assert.Single(new RunStore(runs).List());
        Assert.Equal(("작은 실행", RunKinds.Reader, RunStatuses.Finished), (run.Name, run.Kind, run.Status));
        Assert.Equal(["smoke"], run.Tags);
        Assert.Equal(("tiny", "1"), run.ModelVersion);
        Assert.Equal("2", run.Config["max_steps"]);
        Assert.Equal("linear", run.Config["head"]);
        Assert.Contains($"run {run.Id} recorded in", error, StringComparison.Ordinal);
        Assert.Equal([2], new RunStore(runs).ReadMetrics(run.Id).Select(m => m.Step)); // logged at the last step
        Assert.Single(Directory.GetFiles(Path.Combine(runs, run.Id), "events.out.tfevents.*"));
        var card = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "model-card.json")))!;
        Assert.Equal(run.Id, (string?)card["run_id"]);
    }

    [Fact]
    public async Task TrainReader_WithAnUnknownHead_ExitsWithAMessage_AndRecordsNoRun()
    {
        string runs = Path.Combine(work, "runs");

        var (exit, _, error) = await InProcessCli.RunAsync("train", "reader", "--train", TrainFile(), "--model", work, "--out", Path.Combine(work, "out"),
            "--head", "attention", "--runs-dir", runs);

        Assert.Equal(2, exit);
        Assert.Contains("--head must be one of linear, conv, not 'attention'", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(runs));
    }
}
