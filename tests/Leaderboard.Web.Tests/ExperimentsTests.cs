using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Mrc.Core.Runs;
using Mrc.Leaderboard.Components.Pages.Experiments;
using Mrc.Leaderboard.Components.Shared;
using Mrc.Leaderboard.Data;
using Mrc.Leaderboard.Domain;
using Mrc.Leaderboard.Evaluation;
using Mrc.Leaderboard.Experiments;
using MudBlazor.Services;

namespace Mrc.Leaderboard.Tests;

/// <summary>The experiments pages' reading of a run store, and the pages over one (bUnit).</summary>
public sealed class ExperimentsTests : IAsyncLifetime
{
    readonly string root = Directory.CreateTempSubdirectory("leaderboard-runs-").FullName;
    readonly BunitContext context = new();

    public ExperimentsTests()
    {
        context.Services.AddMudServices();
        context.Services.AddScoped<Mrc.Leaderboard.Auth.BrowserTimeZone>(); // LocalTime in the leaderboard table
        context.Services.AddSingleton(Catalog());
        context.JSInterop.Mode = JSRuntimeMode.Loose;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await context.DisposeAsync();
        Directory.Delete(root, recursive: true);
    }

    RunCatalog Catalog() => new(Options.Create(new ExperimentsOptions { RunsPath = root }));

    /// <summary>A finished run as training writes one: steps 10 and 20, an evaluation at 20.</summary>
    string Write(string name, string kind = RunKinds.Reader, string? output = null, string[]? tags = null,
        Dictionary<string, string>? config = null, double f1 = 11.25, string status = RunStatuses.Finished)
    {
        using var run = new RunStore(root).Start(kind, name, config ?? new Dictionary<string, string> { ["seed"] = "42" }, output, tags ?? []);
        run.LogStep(10, 5.0, 3e-4, 10);
        run.LogStep(20, 4.0, 2e-4, 10);
        run.LogEvaluation(20, 2.5, f1);
        run.End(status, status == RunStatuses.Failed ? "CUDA out of memory" : null);
        return run.Id;
    }

    [Fact]
    public void List_FiltersByKindStatusTagAndText()
    {
        Write("plain", tags: ["ablation"]);
        Write("curriculum", tags: ["ablation", "curriculum"]);
        Write("tapt", kind: RunKinds.Mlm);
        Write("broken", status: RunStatuses.Failed);
        var catalog = Catalog();

        Assert.Equal(4, catalog.List(new RunFilter()).Count);
        Assert.Equal(["tapt"], catalog.List(new RunFilter(Kind: RunKinds.Mlm)).Select(r => r.Run.Name));
        Assert.Equal(["broken"], catalog.List(new RunFilter(Status: RunStatuses.Failed)).Select(r => r.Run.Name));
        Assert.Equal(["curriculum", "plain"], catalog.List(new RunFilter(Tag: "ablation")).Select(r => r.Run.Name).Order());
        Assert.Equal(["curriculum"], catalog.List(new RunFilter(Text: "CURRIC")).Select(r => r.Run.Name));
        Assert.Equal(["ablation", "curriculum"], catalog.Tags());
        var summary = catalog.List(new RunFilter(Text: "plain")).Single();
        Assert.Equal((20, 4.0, 11.25), (summary.LastStep, summary.LastLoss, summary.BestEvaluation!.F1));
    }

    [Fact]
    public void Differences_ListOnlyKeysThatDiffer_WithADashWhereARunLacksOne()
    {
        var a = new RunRecord { Id = "a", Kind = RunKinds.Reader, Config = new Dictionary<string, string> { ["seed"] = "42", ["learning_rate"] = "0.0003", ["curriculum"] = "false" } };
        var b = new RunRecord { Id = "b", Kind = RunKinds.Reader, Config = new Dictionary<string, string> { ["seed"] = "42", ["learning_rate"] = "0.0001" } };

        var differences = RunCatalog.Differences([a, b]);

        Assert.Equal(["curriculum", "learning_rate"], differences.Select(d => d.Key));
        Assert.Equal(["false", "–"], differences[0].Values);
        Assert.Equal(["0.0003", "0.0001"], differences[1].Values);
    }

    [Fact]
    public void RunsByModelVersion_FindsTheNewestFinishedRunOfEachVersion()
    {
        Write("failed", output: "models/ko-reader-small/2", status: RunStatuses.Failed);
        string trained = Write("trained", output: "/srv/models/ko-reader-small/2/");
        Write("other", output: "models/ko-reader-small/3", kind: RunKinds.Reader);

        var runs = Catalog().RunsByModelVersion();

        Assert.Equal(trained, runs[("ko-reader-small", "2")]);
        Assert.False(runs.ContainsKey(("ko-reader-small", "1")));
    }

    [Fact]
    public void ChartData_PutsRunsOnTheUnionOfTheirSteps()
    {
        // Run a logged at steps 10 and 30, run b at 20: on the shared axis 10, 20, 30 a is interpolated
        // at 20 (halfway between 4 and 2 is 3), and b holds its only value.
        var chart = ChartData.From([
            new Curve("a", [(10, 4.0), (30, 2.0)]),
            new Curve("b", [(20, 5.0)]),
            new Curve("empty", []),
        ]);

        Assert.Equal(["10", "20", "30"], chart.Labels);
        Assert.Equal(2, chart.Series.Count);
        Assert.Equal([4.0, 3.0, 2.0], chart.Series[0].Values);
        Assert.Equal([5.0, 5.0, 5.0], chart.Series[1].Values);
    }

    [Fact]
    public void ChartData_ThinsLongRunsToAReadableNumberOfPoints_KeepingFirstAndLast()
    {
        var chart = ChartData.From([new Curve("long", Enumerable.Range(1, 1000).Select(s => (s, (double)s)).ToList())]);

        Assert.Equal(ChartData.MaxPoints, chart.Labels.Length);
        Assert.Equal("1", chart.Labels[0]);
        Assert.Equal("1000", chart.Labels[^1]);
    }

    [Fact]
    public void RunPage_OverAHalfWrittenRun_ShowsWhatIsComplete()
    {
        string id;
        using (var run = new RunStore(root).Start(RunKinds.Reader, "writing", new Dictionary<string, string>(), null, []))
        {
            id = run.Id;
            run.LogStep(10, 5.0, 3e-4, 10);
            run.LogStep(20, 4.0, 3e-4, 10);
            File.AppendAllText(Path.Combine(run.Folder, RunStore.MetricsFile), "{\"step\":30,\"lo");
            var page = context.Render<RunPage>(p => p.Add(c => c.RunId, id));

            Assert.Equal("writing", page.Find("[data-testid=run-title]").TextContent.Trim());
            Assert.Contains("실행 중", page.Find("[data-testid=run-status]").TextContent, StringComparison.Ordinal);
            Assert.NotNull(page.Find("[data-testid=loss-chart]"));
            Assert.NotNull(page.Find("[data-testid=f1-chart-empty]"));
        }
    }

    [Fact]
    public void RunPage_ForAnUnknownOrForgedId_SaysItIsMissing()
    {
        foreach (var id in new[] { "no-such-run", ".." })
        {
            var page = context.Render<RunPage>(p => p.Add(c => c.RunId, id));
            Assert.NotNull(page.Find("[data-testid=run-missing]"));
        }
    }

    [Fact]
    public void LeaderboardTable_LinksAVersionToTheRunThatTrainedIt()
    {
        string id = Write("shipped", output: "models/ko-reader-small/1");
        var view = new SubmissionView(1, 7, "알파", "korean-dev", false, SubmissionKind.ModelRun, "", "ko-reader-small", "1", 5, null, null,
            RunMode.Separate, 0, SubmissionStatus.Succeeded, DateTime.UtcNow, null, 12, 12, new ScoreSummary(2, 11, 5, 0), null, null, 0.75, "");
        var rows = new[]
        {
            new LeaderboardRow(1, "알파", "ko-reader-small", "1", 1, view),
            new LeaderboardRow(2, "알파", "ko-reader-small", "9", 1, view with { Version = "9" }),
        };

        var table = context.Render<LeaderboardTable>(p => p.Add(c => c.Rows, rows));

        var link = Assert.Single(table.FindAll("[data-testid=version-run-link]"));
        Assert.Equal($"/experiments/{id}", link.GetAttribute("href"));
        Assert.Equal("1", link.TextContent.Trim());
        Assert.Equal("9", table.FindAll("[data-testid=version]")[1].TextContent.Trim());
    }

    [Fact]
    public void ExperimentsPage_WithoutARunStore_SaysHowToConfigureOne()
    {
        context.Services.AddSingleton(new RunCatalog(Options.Create(new ExperimentsOptions())));
        var page = context.Render<ExperimentsPage>();
        Assert.Contains("Experiments:RunsPath", page.Find("[data-testid=no-run-store]").TextContent, StringComparison.Ordinal);
    }
}
