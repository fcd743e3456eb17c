using System.Diagnostics;
using System.Text.Json.Nodes;
using Mrc.Core.Runs;

namespace Mrc.Core.Tests;

/// <summary>The run store as training writes it and the CLI and leaderboard read it.</summary>
public sealed class RunStoreTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("mrc-runs-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void StartLogAndEnd_RoundTripsRecordAndMetrics()
    {
        var store = new RunStore(root);
        var config = new Dictionary<string, string> { ["learning_rate"] = "0.0003", ["batch_size"] = "16" };
        string id;
        using (var run = store.Start(RunKinds.Reader, "plain", config, "models/ko-reader-small/2", ["ablation", "ablation", " cpu "]))
        {
            id = run.Id;
            run.LogStep(10, 5.25, 3e-4, 12.5);
            run.LogStep(20, double.NaN, 2e-4, 13);
            run.LogEvaluation(20, 1.5, 11.25);
            run.End(RunStatuses.Finished);
        }

        var read = Assert.Single(store.List());
        Assert.Equal(id, read.Id);
        Assert.Equal("plain", read.Name);
        Assert.Equal(RunKinds.Reader, read.Kind);
        Assert.Equal(RunStatuses.Finished, read.Status);
        Assert.NotNull(read.EndedUtc);
        Assert.Equal(["ablation", "cpu"], read.Tags);
        Assert.Equal(["batch_size", "learning_rate"], read.Config.Keys);
        Assert.Equal("0.0003", read.Config["learning_rate"]);
        Assert.Equal(("ko-reader-small", "2"), read.ModelVersion);
        Assert.Equal(Environment.ProcessId, read.ProcessId);

        var metrics = store.ReadMetrics(id);
        Assert.Equal(3, metrics.Count);
        Assert.Equal((10, 5.25, 3e-4, 12.5), (metrics[0].Step, metrics[0].Loss, metrics[0].LearningRate, metrics[0].ExamplesPerSecond));
        Assert.Null(metrics[1].Loss); // NaN has no JSON form: left out, not written as a string
        Assert.True(metrics[2].IsEvaluation);
        Assert.Equal((20, 1.5, 11.25), (metrics[2].Step, metrics[2].ExactMatch, metrics[2].F1));
    }

    [Fact]
    public void Files_AreTheDocumentedFormat()
    {
        var store = new RunStore(root);
        using var run = store.Start(RunKinds.Mlm, "", new Dictionary<string, string>(), null, []);
        run.LogStep(1, 9.5, 0.001, 100);
        run.End(RunStatuses.Failed, "out of memory");

        var record = JsonNode.Parse(File.ReadAllText(Path.Combine(run.Folder, "run.json")))!;
        Assert.Equal(run.Id, (string?)record["id"]);
        Assert.Equal(run.Id, (string?)record["name"]); // no name given: the id
        Assert.Equal("failed", (string?)record["status"]);
        Assert.Equal("out of memory", (string?)record["error"]);
        var lines = File.ReadAllLines(Path.Combine(run.Folder, "metrics.jsonl"));
        var line = JsonNode.Parse(Assert.Single(lines))!.AsObject();
        Assert.Equal(["step", "time", "loss", "learning_rate", "examples_per_second"], line.Select(p => p.Key));
        Assert.False(File.Exists(Path.Combine(run.Folder, "run.json.tmp")));
    }

    [Fact]
    public void ReadMetrics_SkipsAPartialLastLine()
    {
        var store = new RunStore(root);
        using var run = store.Start(RunKinds.Reader, "half", new Dictionary<string, string>(), null, []);
        run.LogStep(10, 4.0, 1e-4, 10);
        // A crash in the middle of a line leaves it without its newline.
        File.AppendAllText(Path.Combine(run.Folder, "metrics.jsonl"), "{\"step\":20,\"time\":\"2026-");

        var metrics = store.ReadMetrics(run.Id);
        Assert.Equal(10, Assert.Single(metrics).Step);
    }

    [Fact]
    public void AnotherProcess_SeesItsRunRunning_AndInterruptedOnceItsProcessIsGone()
    {
        var store = new RunStore(root);
        using var run = store.Start(RunKinds.Reader, "live", new Dictionary<string, string>(), null, []);
        Assert.Equal(RunStatuses.Running, store.Find(run.Id)!.Status);

        // The same record as written by a process that has exited since.
        using var gone = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        gone.WaitForExit();
        var record = JsonNode.Parse(File.ReadAllText(Path.Combine(run.Folder, "run.json")))!;
        record["process_id"] = gone.Id;
        File.WriteAllText(Path.Combine(run.Folder, "run.json"), record.ToJsonString());

        Assert.Equal(RunStatuses.Interrupted, store.Find(run.Id)!.Status);
        Assert.Equal("running", (string?)JsonNode.Parse(File.ReadAllText(Path.Combine(run.Folder, "run.json")))!["status"]); // reading changes nothing
    }

    [Fact]
    public void ARunOfAnotherMachine_StaysRunning()
    {
        var store = new RunStore(root);
        using var run = store.Start(RunKinds.Reader, "remote", new Dictionary<string, string>(), null, []);
        var record = JsonNode.Parse(File.ReadAllText(Path.Combine(run.Folder, "run.json")))!;
        record["host"] = "another-machine";
        record["process_id"] = 1;
        File.WriteAllText(Path.Combine(run.Folder, "run.json"), record.ToJsonString());

        Assert.Equal(RunStatuses.Running, store.Find(run.Id)!.Status);
    }

    [Fact]
    public void DisposingAnUnendedRun_MarksItInterrupted()
    {
        var store = new RunStore(root);
        string id;
        using (var run = store.Start(RunKinds.Reader, "", new Dictionary<string, string>(), null, [])) id = run.Id;
        Assert.Equal(RunStatuses.Interrupted, store.Find(id)!.Status);
    }

    [Theory]
    [InlineData("..")]
    [InlineData("../etc")]
    [InlineData("a/b")]
    [InlineData("")]
    public void Find_RefusesIdsThatAreNotFolderNames(string id)
    {
        var store = new RunStore(root);
        Assert.Null(store.Find(id));
        Assert.Empty(store.ReadMetrics(id));
    }

    [Fact]
    public void List_SkipsFoldersWithoutAReadableRecord_AndAMissingRootIsEmpty()
    {
        Directory.CreateDirectory(Path.Combine(root, "empty"));
        Directory.CreateDirectory(Path.Combine(root, "broken"));
        File.WriteAllText(Path.Combine(root, "broken", "run.json"), "{\"id\": ");
        Assert.Empty(new RunStore(root).List());
        Assert.Empty(new RunStore(Path.Combine(root, "missing")).List());
    }
}
