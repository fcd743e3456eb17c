using Microsoft.Playwright;
using Mrc.Core.Runs;
using Mrc.Leaderboard.Tests.Support;

namespace Mrc.Leaderboard.Tests;

/// <summary>
/// The experiments pages in Debian's chromium over a prepared run store: the list, one run's curves,
/// and two runs compared (overlaid curves, the config that differs, final scores).
/// </summary>
public sealed class ExperimentsBrowserTests : IDisposable
{
    readonly string runs = Directory.CreateTempSubdirectory("leaderboard-browser-runs-").FullName;

    public void Dispose() => Directory.Delete(runs, recursive: true);

    string Write(string name, string learningRate, double[] losses, double f1)
    {
        using var run = new RunStore(runs).Start(RunKinds.Reader, name,
            new Dictionary<string, string> { ["learning_rate"] = learningRate, ["seed"] = "42" }, $"models/ko-reader-small/{name}", ["ablation"]);
        for (int i = 0; i < losses.Length; i++) run.LogStep((i + 1) * 10, losses[i], 3e-4, 12);
        run.LogEvaluation(losses.Length * 10, 1.5, f1);
        run.End(RunStatuses.Finished);
        return run.Id;
    }

    [BrowserFact]
    public async Task ExperimentsPage_ShowsARunsCurves_AndComparesTwoRuns()
    {
        if (Prerequisites.MissingChromium() is { } missing) throw new InvalidOperationException(missing);
        string fast = Write("fast", "0.0003", [5.0, 4.2, 3.9], 12.25);
        string slow = Write("slow", "0.0001", [5.0, 4.8, 4.6], 9.5);
        // A run still being written: its last line is cut in the middle.
        using var writing = new RunStore(runs).Start(RunKinds.Mlm, "writing", new Dictionary<string, string>(), null, []);
        writing.LogStep(10, 8.5, 1e-3, 40);
        File.AppendAllText(Path.Combine(writing.Folder, RunStore.MetricsFile), "{\"step\":20,\"loss\":8.");

        using var database = TestDatabase.Sqlite();
        await using var pipeline = await FakePipeline.StartAsync();
        await using var host = await LeaderboardHost.StartAsync(database, pipeline.Address,
            new Dictionary<string, string?> { ["Experiments:RunsPath"] = runs });
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        var page = await Chromium.NewKoreanPageAsync(browser, host.HttpAddress);
        page.SetDefaultTimeout(30_000);

        await page.GotoAsync("/experiments");
        await Chromium.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=run-name]")).ToHaveCountAsync(3);

        // One run: its loss curve is drawn.
        await page.ClickAsync("[data-testid=run-name] a:text-is('fast')");
        await page.WaitForURLAsync($"**/experiments/{fast}");
        await Assertions.Expect(page.Locator("[data-testid=run-title]")).ToHaveTextAsync("fast");
        await Assertions.Expect(page.Locator("[data-testid=loss-chart] path.mud-chart-line").First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=run-best]")).ToContainTextAsync("12.25");

        // Two runs chosen by their checkboxes, compared.
        await page.GotoAsync("/experiments");
        await Chromium.WaitForCircuitAsync(page);
        await page.Locator($"input[data-testid=choose-{fast}], [data-testid=choose-{fast}] input").CheckAsync();
        await page.Locator($"input[data-testid=choose-{slow}], [data-testid=choose-{slow}] input").CheckAsync();
        await page.ClickAsync("[data-testid=compare-runs]");
        await page.WaitForURLAsync("**/experiments/compare?runs=*");
        await Assertions.Expect(page.Locator("[data-testid=compare-loss-chart] path.mud-chart-line")).ToHaveCountAsync(2); // one line per run
        await Assertions.Expect(page.Locator("[data-testid=compare-f1-chart]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=final-f1]")).ToHaveTextAsync(["12.25", "9.50"]);
        var difference = page.Locator("[data-testid=config-difference]");
        await Assertions.Expect(difference).ToHaveCountAsync(1);
        await Assertions.Expect(difference).ToContainTextAsync("learning_rate");
        await Assertions.Expect(difference).ToContainTextAsync("0.0003");
        await Assertions.Expect(difference).ToContainTextAsync("0.0001");

        var screenshots = Environment.GetEnvironmentVariable("LEADERBOARD_SCREENSHOTS");
        if (!string.IsNullOrEmpty(screenshots))
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(screenshots, "experiments-compare.png"), FullPage = true });
    }
}
