using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Grpc.Net.Client;
using Mrc.Leaderboard.Tests.Support;
using Microsoft.Playwright;
using Mrc.Contracts.V1;
using Mrc.Core.Data;
using Mrc.Tests;

namespace MrcGrpc.AppHost.Tests;

/// <summary>
/// What a new user gets from `dotnet run --project src/MrcGrpc.AppHost`: the AppHost builds the demo
/// index, serves the shipped reader and registers the demo evaluation set and team (here on a temporary
/// folder instead of .local/). A Korean question of the demo set is answered over gRPC, then the demo
/// team submits the shipped model in chromium and sees its EM/F1 on the leaderboard.
/// The leaderboard screenshot is kept under the test output (screenshots/) as a CI artifact.
/// </summary>
public sealed class LocalRunTests
{
    const string AdminSecret = "apphost-test-admin-secret";
    const string DemoTeamToken = "apphost-test-demo-token";
    static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(8);
    static readonly TimeSpan EvaluationTimeout = TimeSpan.FromMinutes(12);

    public static string ScreenshotFolder => Path.Combine(AppContext.BaseDirectory, "screenshots");

    [BrowserFact]
    public async Task OneCommand_AnswersAKoreanQuestion_AndTheDemoTeamScoresTheShippedModel()
    {
        if (Prerequisites.MissingChromium() is { } missing) throw new InvalidOperationException(missing);
        var local = Directory.CreateTempSubdirectory("mrc-apphost-");
        try
        {
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.MrcGrpc_AppHost>(
            [
                $"LocalFolder={local.FullName}",
                $"Parameters:leaderboard-admin-secret={AdminSecret}",
                $"Parameters:leaderboard-demo-team-token={DemoTeamToken}",
            ]);
            await using var app = await builder.BuildAsync();
            using (var starting = new CancellationTokenSource(StartTimeout))
            {
                await app.StartAsync(starting.Token);
                await app.ResourceNotifications.WaitForResourceHealthyAsync("leaderboard", starting.Token);
            }

            await AnswersAKoreanQuestionOverGrpcAsync(app);
            await TheDemoTeamSubmitsInTheBrowserAsync(app.GetEndpoint("leaderboard", "http"));
        }
        finally
        {
            local.Delete(recursive: true);
        }
    }

    static async Task AnswersAKoreanQuestionOverGrpcAsync(DistributedApplication app)
    {
        var demo = ArticleSplit.Select(SquadJson.Load(TestData.KorQuadPartA), SplitPart.Test).Examples().First();
        using var retrieverChannel = GrpcChannel.ForAddress(app.GetEndpoint("retriever", "grpc"));
        using var readerChannel = GrpcChannel.ForAddress(app.GetEndpoint("reader", "grpc"));

        var models = await new Reader.ReaderClient(readerChannel).ListModelsAsync(new ListModelsRequest());
        var shipped = Assert.Single(models.Models, m => m.IsDefault);
        Assert.Empty(shipped.LoadError);

        var retrieved = await new Retriever.RetrieverClient(retrieverChannel).RetrieveAsync(new RetrieveRequest { Query = demo.Question, TopK = 5 });
        Assert.Contains(retrieved.Passages, p => p.Text == demo.Context);

        var read = await new Reader.ReaderClient(readerChannel).ReadAsync(new ReadRequest
        {
            Question = demo.Question,
            Passages = { retrieved.Passages.Select(p => new ReadPassage { Id = p.Id, Title = p.Title, Text = p.Text, RetrieverScore = p.Score }) },
        });
        Assert.Equal(shipped.Name, read.Model);
        var answer = read.Answers[0];
        Assert.False(string.IsNullOrWhiteSpace(answer.Text));
        Assert.Contains(answer.Text, retrieved.Passages.Single(p => p.Id == answer.PassageId).Text, StringComparison.Ordinal);
    }

    static async Task TheDemoTeamSubmitsInTheBrowserAsync(Uri leaderboard)
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        var page = await Chromium.NewKoreanPageAsync(browser, leaderboard);
        page.SetDefaultTimeout(60_000);
        Directory.CreateDirectory(ScreenshotFolder);
        Task Shot(string name) =>
            page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, name + ".png"), FullPage = true });

        try
        {
            // The leaderboard opens on the demo set, with nothing submitted yet.
            await page.GotoAsync("/");
            await Chromium.WaitForCircuitAsync(page);
            await Assertions.Expect(page.Locator("[data-testid=set-counts]")).ToContainTextAsync("756");

            // The demo team signs in with its token and submits the shipped model on the demo set.
            await page.GotoAsync("/signin");
            await Chromium.WaitForCircuitAsync(page);
            await Chromium.Input(page, "token-input").FillAsync(DemoTeamToken);
            await page.ClickAsync("[data-testid=signin-button]");
            await page.WaitForURLAsync("**/submit");
            await Chromium.WaitForCircuitAsync(page);
            await Assertions.Expect(page.Locator("[data-testid=submit-run]")).ToBeEnabledAsync();
            await Chromium.Input(page, "submit-topk").FillAsync("3");
            await Chromium.Input(page, "submit-topk").PressAsync("Tab");
            await page.ClickAsync("[data-testid=submit-run]");

            // The run finishes with scores.
            await page.WaitForURLAsync("**/submissions/*");
            await Assertions.Expect(page.Locator("[data-testid=status]").First)
                .ToHaveTextAsync("완료", new() { Timeout = (float)EvaluationTimeout.TotalMilliseconds });
            var em = await page.Locator("[data-testid=score-public] [data-testid=em]").InnerTextAsync();
            var f1 = await page.Locator("[data-testid=score-public] [data-testid=f1]").InnerTextAsync();
            Assert.InRange(double.Parse(f1, System.Globalization.CultureInfo.InvariantCulture), 0.01, 100);
            await Shot("submission");

            // The leaderboard ranks the demo team with that score.
            await page.GotoAsync("/");
            await Chromium.WaitForCircuitAsync(page);
            var row = page.Locator("[data-testid=leaderboard-table] tbody tr", new() { HasText = "demo" });
            await Assertions.Expect(row.Locator("[data-testid=public-em]")).ToHaveTextAsync(em);
            await Assertions.Expect(row.Locator("[data-testid=public-f1]")).ToHaveTextAsync(f1);
            await Shot("leaderboard");
        }
        catch
        {
            await Shot("failure");
            throw;
        }
    }
}
