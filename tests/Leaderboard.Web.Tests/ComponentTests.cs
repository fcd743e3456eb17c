using Bunit;
using Mrc.Leaderboard.Components.Shared;
using Mrc.Leaderboard.Data;
using Mrc.Leaderboard.Domain;
using Mrc.Leaderboard.Evaluation;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace Mrc.Leaderboard.Tests;

/// <summary>bUnit tests of the shared components the pages are built from.</summary>
public sealed class ComponentTests : IAsyncLifetime
{
    readonly BunitContext context = new();

    public ComponentTests()
    {
        context.Services.AddMudServices();
        context.Services.AddSingleton(new Experiments.RunCatalog(Microsoft.Extensions.Options.Options.Create(new Experiments.ExperimentsOptions())));
        context.Services.AddScoped<Mrc.Leaderboard.Auth.BrowserTimeZone>();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    // MudBlazor's services are only asynchronously disposable.
    public Task DisposeAsync() => context.DisposeAsync().AsTask();

    static SubmissionView View(
        long id = 1, string team = "알파", SubmissionStatus status = SubmissionStatus.Succeeded, int completed = 12, int total = 12,
        ScoreSummary? publicScores = null, ScoreSummary? privateScores = null, string error = "", string description = "베이스라인") =>
        new(id, 7, team, "korean-dev", false, SubmissionKind.ModelRun, description, "klue-bert-base", "v1", 5, null, null,
            RunMode.Separate, 0, status, new DateTime(2026, 11, 28, 9, 30, 0, DateTimeKind.Utc), null, completed, total,
            publicScores, privateScores, null, 0.75, error);

    [Fact]
    public void LeaderboardTable_ShowsPublicScoresAndHidesPrivateColumnsBeforeTheReveal()
    {
        var rows = new[]
        {
            new LeaderboardRow(1, "알파", "klue-bert-base", "v2", 3, View(publicScores: new ScoreSummary(66.666, 80.1234, 5, 0))),
            new LeaderboardRow(2, "베타", "rule-based", "", 1, View(team: "베타", publicScores: new ScoreSummary(20, 35.5, 5, 1))),
        };

        var table = context.Render<LeaderboardTable>(p => p.Add(c => c.Rows, rows).Add(c => c.ShowPrivate, false));

        Assert.Equal(["알파", "베타"], table.FindAll("[data-testid=team]").Select(e => e.TextContent.Trim()));
        Assert.Equal(["66.67", "20.00"], table.FindAll("[data-testid=public-em]").Select(e => e.TextContent.Trim()));
        Assert.Equal("80.12", table.Find("[data-testid=public-f1]").TextContent.Trim());
        Assert.Empty(table.FindAll("[data-testid=private-em]"));
        Assert.DoesNotContain("비공개 EM", table.Markup, StringComparison.Ordinal);
        Assert.Contains("베이스라인", table.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void LeaderboardTable_ShowsPrivateColumnsAfterTheReveal()
    {
        var rows = new[]
        {
            new LeaderboardRow(1, "알파", "klue-bert-base", "v2", 1,
                View(publicScores: new ScoreSummary(60, 70, 5, 0), privateScores: new ScoreSummary(55.5, 65.25, 7, 0))),
        };

        var table = context.Render<LeaderboardTable>(p => p.Add(c => c.Rows, rows).Add(c => c.ShowPrivate, true));

        Assert.Equal("55.50", table.Find("[data-testid=private-em]").TextContent.Trim());
        Assert.Equal("65.25", table.Find("[data-testid=private-f1]").TextContent.Trim());
    }

    [Fact]
    public void LeaderboardTable_WithoutRows_SaysSo()
    {
        var table = context.Render<LeaderboardTable>(p => p.Add(c => c.Rows, Array.Empty<LeaderboardRow>()));
        Assert.Contains("아직 완료된 제출이 없습니다", table.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void SubmissionProgress_WhileRunning_ShowsABarAndTheCount()
    {
        var progress = context.Render<RunProgress>(p => p.Add(c => c.Submission, View(status: SubmissionStatus.Running, completed: 3, total: 12)));

        Assert.NotNull(progress.Find("[data-testid=progress-bar]"));
        Assert.Equal("3 / 12 문항", progress.Find("[data-testid=progress-count]").TextContent.Trim());
        Assert.Equal("실행 중", progress.Find("[data-testid=status]").TextContent.Trim());
    }

    [Fact]
    public void SubmissionProgress_WhenFailed_ShowsTheReasonAndNoBar()
    {
        var progress = context.Render<RunProgress>(p => p.Add(c => c.Submission,
            View(status: SubmissionStatus.Failed, completed: 4, error: "Retriever.RetrieveBatch failed after 5 attempts: Unavailable")));

        Assert.Empty(progress.FindAll("[data-testid=progress-bar]"));
        Assert.Contains("failed after 5 attempts", progress.Find("[data-testid=progress-error]").TextContent, StringComparison.Ordinal);
        Assert.Equal("실패", progress.Find("[data-testid=status]").TextContent.Trim());
    }

    [Fact]
    public void ScoreCards_HidePrivateScoresUntilAvailable()
    {
        var cards = context.Render<ScoreCards>(p => p.Add(c => c.Submission, View(publicScores: new ScoreSummary(50, 61.2345, 6, 1))));

        Assert.Equal("50.00", cards.Find("[data-testid=score-public] [data-testid=em]").TextContent);
        Assert.Equal("61.23", cards.Find("[data-testid=score-public] [data-testid=f1]").TextContent);
        Assert.NotNull(cards.Find("[data-testid=score-private-hidden]"));
        Assert.Equal("75.0%", cards.Find("[data-testid=recall]").TextContent.Trim());
    }

    [Fact]
    public void ScoreChart_PlotsEmAndF1PerSubmission()
    {
        var points = new[]
        {
            new ChartPoint(1, "알파", "klue-bert-base", "v1", DateTime.UtcNow, 40, 55),
            new ChartPoint(2, "알파", "klue-bert-base", "v2", DateTime.UtcNow, 52.5, 63),
        };
        var chart = context.Render<ScoreChart>(p => p.Add(c => c.Points, points));
        Assert.Contains("EM", chart.Markup, StringComparison.Ordinal);
        Assert.Contains("F1", chart.Markup, StringComparison.Ordinal);
        Assert.NotEmpty(chart.FindAll("svg"));

        var empty = context.Render<ScoreChart>(p => p.Add(c => c.Points, Array.Empty<ChartPoint>()));
        Assert.Contains("아직 완료된 제출이 없습니다", empty.Markup, StringComparison.Ordinal);
    }
}
