using Mrc.Core.Runs;

namespace Mrc.Cli.Tests;

/// <summary>`mrc runs list` and `mrc runs show` over a run store written as training writes it.</summary>
public sealed class RunsCommandsTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("mrc-runs-cli-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    string Write(string kind, string name, string[] tags, double? f1)
    {
        using var run = new RunStore(root).Start(kind, name, new Dictionary<string, string> { ["learning_rate"] = "0.0003" }, "models/ko/3", tags);
        run.LogStep(10, 4.25, 3e-4, 12.5);
        if (f1 is { } value) run.LogEvaluation(10, 2.5, value);
        run.End(RunStatuses.Finished);
        return run.Id;
    }

    [Fact]
    public async Task List_ShowsEachRunWithItsBestF1_AndFilters()
    {
        string reader = Write(RunKinds.Reader, "평문", ["ablation"], 11.25);
        string mlm = Write(RunKinds.Mlm, "tapt", [], null);

        var (exit, output, _) = await InProcessCli.RunAsync("runs", "list", "--runs-dir", root);
        Assert.Equal(0, exit);
        var lines = output.TrimEnd().Split('\n');
        Assert.Equal(3, lines.Length);
        var readerLine = Assert.Single(lines, l => l.StartsWith(reader, StringComparison.Ordinal));
        Assert.Contains("11.25", readerLine, StringComparison.Ordinal);
        Assert.EndsWith("평문", readerLine.TrimEnd(), StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith(mlm, StringComparison.Ordinal) && l.Contains(" – ", StringComparison.Ordinal));

        (exit, output, _) = await InProcessCli.RunAsync("runs", "list", "--runs-dir", root, "--tag", "ablation");
        Assert.Equal(0, exit);
        Assert.Equal(2, output.TrimEnd().Split('\n').Length);

        (exit, _, var error) = await InProcessCli.RunAsync("runs", "list", "--runs-dir", root, "--status", "done");
        Assert.Equal(2, exit);
        Assert.Contains("--status must be one of running, finished, failed, interrupted", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_PrintsRecordConfigAndEvaluations_OrSaysTheRunIsMissing()
    {
        string id = Write(RunKinds.Reader, "plain", ["a", "b"], 11.25);

        var (exit, output, _) = await InProcessCli.RunAsync("runs", "show", id, "--runs-dir", root);
        Assert.Equal(0, exit);
        Assert.Contains("status    finished", output, StringComparison.Ordinal);
        Assert.Contains("output    models/ko/3", output, StringComparison.Ordinal);
        Assert.Contains("tags      a, b", output, StringComparison.Ordinal);
        Assert.Contains("  learning_rate = 0.0003", output, StringComparison.Ordinal);
        Assert.Contains("last step 10: loss 4.2500, lr 3.00E-004, 12.5 ex/s", output, StringComparison.Ordinal);
        Assert.Contains("evaluation at step 10: EM 2.50 F1 11.25", output, StringComparison.Ordinal);

        (exit, _, var error) = await InProcessCli.RunAsync("runs", "show", "no-such-run", "--runs-dir", root);
        Assert.Equal(2, exit);
        Assert.Contains("no run 'no-such-run'", error, StringComparison.Ordinal);
    }
}
