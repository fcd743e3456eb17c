using Mrc.Leaderboard.Domain;
using Mrc.Leaderboard.Tests.Support;
using Microsoft.Playwright;
using Mrc.Core.Metrics;

namespace Mrc.Leaderboard.Tests;

/// <summary>
/// The whole flow in Debian's chromium (no browser download): the admin registers an evaluation set
/// and a team, the team signs in with its token, submits a model run, watches the progress bar, and
/// finds its score on the leaderboard. Once on SQLite, once on PostgreSQL.
/// </summary>
public sealed class BrowserTests
{
    [BrowserFact]
    public async Task RegisterSubmitWatchAndRank_OnSqlite()
    {
        using var database = TestDatabase.Sqlite();
        await RunFlowAsync(database, "sqlite");
    }

    [BrowserAndPostgresFact]
    public async Task RegisterSubmitWatchAndRank_OnPostgres()
    {
        await using var postgres = await PostgresServer.StartAsync();
        using var database = TestDatabase.Postgres(postgres.ConnectionString("leaderboard"));
        await RunFlowAsync(database, "postgres");
    }

    static async Task RunFlowAsync(TestDatabase database, string label)
    {
        if (Prerequisites.MissingChromium() is { } missing) throw new InvalidOperationException(missing);
        await using var pipeline = await FakePipeline.StartAsync();
        TestSets.Configure(pipeline);
        pipeline.ReadGate = new SemaphoreSlim(0); // answers wait until the test has seen the run in progress
        await using var host = await LeaderboardHost.StartAsync(database, pipeline.Address);
        var folder = Directory.CreateTempSubdirectory("leaderboard-browser-");
        var setFile = TestSets.WriteKoreanJson(folder.FullName);
        var screenshots = Environment.GetEnvironmentVariable("LEADERBOARD_SCREENSHOTS");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        var page = await Chromium.NewKoreanPageAsync(browser, host.HttpAddress);
        page.SetDefaultTimeout(30_000);

        async Task Shot(string name)
        {
            if (!string.IsNullOrEmpty(screenshots))
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(screenshots, $"{label}-{name}.png"), FullPage = true });
        }

        try
        {
            // The administrator signs in with the configured secret.
            await SignInAsync(page, LeaderboardHost.AdminSecret);
            await page.WaitForURLAsync("**/admin");
            await Chromium.WaitForCircuitAsync(page);

            // ... registers the evaluation set.
            await Chromium.Input(page, "set-name").FillAsync("한국어-검증");
            await page.Locator("input[type=file]").SetInputFilesAsync(setFile);
            await page.Locator("[data-testid=chosen-set-file]").WaitForAsync();
            await page.ClickAsync("[data-testid=register-set]");
            var registered = await page.Locator("[data-testid=set-message]").InnerTextAsync();
            Assert.Contains("12문항", registered, StringComparison.Ordinal);
            await Shot("admin-sets");

            // ... and creates a team, whose token is shown once.
            await page.GotoAsync("/admin/teams");
            await Chromium.WaitForCircuitAsync(page);
            await Chromium.Input(page, "team-name").FillAsync("한글팀");
            await page.ClickAsync("[data-testid=create-team]");
            var token = (await page.Locator("[data-testid=new-token]").InnerTextAsync()).Trim();
            Assert.StartsWith("mrc_", token, StringComparison.Ordinal);

            // The team signs in with its token and submits a model run.
            await page.ClickAsync("[data-testid=signout-button]");
            await Assertions.Expect(page.Locator("[data-testid=signed-in-as]")).ToHaveCountAsync(0);
            await SignInAsync(page, token);
            await page.WaitForURLAsync("**/submit");
            await Chromium.WaitForCircuitAsync(page);
            Assert.Equal("한글팀", (await page.Locator("[data-testid=signed-in-as]").InnerTextAsync()).Trim());
            await Chromium.Input(page, "submit-description").FillAsync("BM25 기본 설정, 따로 읽기");
            await Shot("submit");
            await page.ClickAsync("[data-testid=submit-run]");

            // The detail page shows the run in progress...
            await page.WaitForURLAsync("**/submissions/*");
            await page.Locator("[data-testid=progress-bar]").WaitForAsync();
            Assert.Contains("/ 12 문항", await page.Locator("[data-testid=progress-count]").InnerTextAsync(), StringComparison.Ordinal);
            await Shot("progress");
            pipeline.ReadGate.Release(6);
            await Assertions.Expect(page.Locator("[data-testid=progress-count]")).ToContainTextAsync("6 / 12");
            pipeline.ReadGate.Release(100);

            // ... until it is done, with the public score.
            await Assertions.Expect(page.Locator("[data-testid=status]").First).ToHaveTextAsync("완료", new() { Timeout = 30_000 });
            var expected = (await ExpectedPublicScoresAsync(host)).ExactMatch.ToString("F2", System.Globalization.CultureInfo.InvariantCulture);
            await Assertions.Expect(page.Locator("[data-testid=score-public] [data-testid=em]")).ToHaveTextAsync(expected);
            await page.Locator("[data-testid=prediction-table] tbody tr").First.WaitForAsync();
            await Assertions.Expect(page.Locator("[data-testid=submission-summary]")).ToContainTextAsync("한글팀 · 한국어-검증 · klue-bert-base v1");
            await Shot("detail");

            // The leaderboard lists the team with that score.
            await page.GotoAsync("/");
            await Chromium.WaitForCircuitAsync(page);
            var row = page.Locator("[data-testid=leaderboard-table] tbody tr", new() { HasText = "한글팀" });
            await Assertions.Expect(row.Locator("[data-testid=public-em]")).ToHaveTextAsync(expected);
            await Assertions.Expect(row).ToContainTextAsync("BM25 기본 설정, 따로 읽기");
            await Shot("leaderboard");
        }
        catch
        {
            await Shot("failure");
            throw;
        }
        finally
        {
            folder.Delete(true);
        }
    }

    static async Task SignInAsync(IPage page, string token)
    {
        await page.GotoAsync("/signin");
        await Chromium.WaitForCircuitAsync(page);
        await Chromium.Input(page, "token-input").FillAsync(token);
        await page.ClickAsync("[data-testid=signin-button]");
    }

    static async Task<EvaluationResult> ExpectedPublicScoresAsync(LeaderboardHost host)
    {
        var privateIds = await TestSets.PrivateIdsAsync(host, "한국어-검증");
        return KorQuadMetrics.Evaluate(
            TestSets.Korean.Examples().Where(e => !privateIds.Contains(e.Id))
                .Select(e => (e.Id, (IReadOnlyList<string>)e.Answers.Select(a => a.Text).ToList())),
            TestSets.ExpectedPredictions());
    }
}
