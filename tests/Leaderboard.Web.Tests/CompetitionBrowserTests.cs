using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Mrc.Leaderboard.Data;
using Mrc.Leaderboard.Domain;
using Mrc.Leaderboard.Tests.Support;

namespace Mrc.Leaderboard.Tests;

/// <summary>
/// Competition pages in Debian's chromium: a team choosing its final submissions, and comparing two
/// submissions question by question. The set's split is fixed (kq-01..kq-06 public), and each
/// submission is a predictions file right on a known number of public questions.
/// </summary>
public sealed class CompetitionBrowserTests : IAsyncLifetime
{
    const string SetName = "한국어-검증";
    TestDatabase database = default!;
    FakePipeline pipeline = default!;
    LeaderboardHost host = default!;
    IPlaywright playwright = default!;
    IBrowser browser = default!;
    Caller team = default!;
    string token = "";

    public async Task InitializeAsync()
    {
        if (Prerequisites.MissingChromium() is { } missing) throw new InvalidOperationException(missing);
        database = TestDatabase.Sqlite();
        pipeline = await FakePipeline.StartAsync();
        host = await LeaderboardHost.StartAsync(database, pipeline.Address);
        var set = await host.Get<EvaluationSetService>().RegisterAsync(SetName, "korean-dev.json", new MemoryStream(TestSets.KoreanJson()));
        await using (var db = await host.Get<IDbContextFactory<LeaderboardDbContext>>().CreateDbContextAsync())
        {
            await db.Questions.Where(q => q.EvaluationSetId == set.Id).ExecuteUpdateAsync(q => q.SetProperty(x => x.IsPrivate, x => x.Ordinal >= 6));
            await db.EvaluationSets.Where(s => s.Id == set.Id).ExecuteUpdateAsync(s => s.SetProperty(x => x.PublicCount, 6).SetProperty(x => x.PrivateCount, 6));
        }
        var (info, teamToken) = await host.Get<TeamService>().CreateAsync("한글팀");
        (team, token) = (Caller.ForTeam(info.Id, info.Name), teamToken);
        playwright = await Playwright.CreateAsync();
        browser = await Chromium.LaunchAsync(playwright);
    }

    public async Task DisposeAsync()
    {
        await browser.DisposeAsync();
        playwright.Dispose();
        await host.DisposeAsync();
        await pipeline.DisposeAsync();
        database.Dispose();
    }

    [BrowserFact]
    public async Task Team_ChoosesItsFinalSubmissions_AndIsToldWhenItPicksTooMany()
    {
        long four = await SubmitAsync(publicRight: 4), six = await SubmitAsync(publicRight: 6), two = await SubmitAsync(publicRight: 2);
        var set = await host.Get<EvaluationSetService>().GetAsync(SetName);
        await host.Get<EvaluationSetService>().ScheduleAsync(set.Id, new SetSchedule(null, new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc)));
        var page = await SignedInPageAsync(timeZone: "Asia/Seoul");
        await page.GotoAsync($"/final/{Uri.EscapeDataString(SetName)}");
        await Chromium.WaitForCircuitAsync(page);

        // Nothing chosen: the two best public ones (6 and 4 right) are final.
        await Assertions.Expect(page.Locator("[data-testid=final-rule]")).ToContainTextAsync("2개까지");
        // The deadline, 2030-01-01 00:00 UTC, in the browser's own zone.
        await Assertions.Expect(page.Locator("[data-testid=final-deadline]")).ToHaveTextAsync("2030-01-01 09:00 (UTC+09:00)");
        await Assertions.Expect(page.Locator($"[data-testid=final-chip-{six}]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator($"[data-testid=final-chip-{four}]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator($"[data-testid=final-chip-{two}]")).ToHaveCountAsync(0);

        // Three ticked: refused in Korean, nothing stored.
        foreach (var id in new[] { four, six, two }) await Chromium.Input(page, $"final-check-{id}").ClickAsync();
        await page.ClickAsync("[data-testid=save-finals]");
        await Assertions.Expect(page.Locator("[data-testid=final-message]")).ToContainTextAsync("최종 제출은 2개까지 고를 수 있습니다");
        Assert.False((await host.Get<FinalSubmissionService>().GetAsync(team, SetName)).Chosen);

        // One unticked: the weakest one and the middle one become final.
        await Chromium.Input(page, $"final-check-{six}").ClickAsync();
        await page.ClickAsync("[data-testid=save-finals]");
        await Assertions.Expect(page.Locator("[data-testid=final-message]")).ToContainTextAsync($"최종 제출: #{four}, #{two}");
        await Assertions.Expect(page.Locator($"[data-testid=final-chip-{two}]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator($"[data-testid=final-chip-{six}]")).ToHaveCountAsync(0);
        var stored = await host.Get<FinalSubmissionService>().GetAsync(team, SetName);
        Assert.True(stored.Chosen);
        Assert.Equal([four, two], stored.FinalIds.Order());
    }

    [BrowserFact]
    public async Task Team_ComparesTwoRuns_AndSeesWhichQuestionsDifferAndWhy()
    {
        TestSets.ConfigureByTopK(pipeline);
        await host.Get<EvaluationSetService>().RegisterAsync("전체-공개", "korean-dev.json", new MemoryStream(TestSets.KoreanJson()), privateShare: 0);
        long one = await ComparisonTests.RunAsync(host, token, topK: 1, set: "전체-공개");
        long two = await ComparisonTests.RunAsync(host, token, topK: 2, set: "전체-공개");
        var page = await SignedInPageAsync();

        // Chosen in the page's two selects.
        await page.GotoAsync("/compare");
        await Chromium.WaitForCircuitAsync(page);
        await page.ClickAsync("[data-testid=compare-a]");
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = $"#{one} ·" }).ClickAsync();
        await page.WaitForURLAsync($"**/compare?a={one}");
        await Chromium.WaitForCircuitAsync(page);
        await page.ClickAsync("[data-testid=compare-b]");
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = $"#{two} ·" }).ClickAsync();
        await page.WaitForURLAsync($"**/compare?a={one}&b={two}");

        // Hand-counted (TestSets.ConfigureByTopK): both right on the five odd questions up to kq-09;
        // top-k 2 alone right on seven, which top-k 1 missed in reading (kq-02, 04, 06, 08) or in
        // retrieval (kq-10, 11, 12).
        await Assertions.Expect(page.Locator("[data-testid=both-right]")).ToHaveTextAsync("5");
        await Assertions.Expect(page.Locator("[data-testid=only-b]")).ToHaveTextAsync("7");
        await Assertions.Expect(page.Locator("[data-testid=a-reading]")).ToHaveTextAsync("4");
        await Assertions.Expect(page.Locator("[data-testid=a-retrieval]")).ToHaveTextAsync("3");
        var rows = page.Locator("[data-testid=diff-table] tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(7);
        var kq11 = page.Locator("[data-testid=diff-table] tbody tr", new() { HasText = "kq-11" });
        await Assertions.Expect(kq11.Locator("[data-testid=diff-cause]")).ToHaveTextAsync("A: 검색 실패");
        await Assertions.Expect(kq11).ToContainTextAsync("모름");
        var kq02 = page.Locator("[data-testid=diff-table] tbody tr", new() { HasText = "kq-02" });
        await Assertions.Expect(kq02.Locator("[data-testid=diff-cause]")).ToHaveTextAsync("A: 읽기 실패");

        // The same submission twice is refused in Korean.
        await page.GotoAsync($"/compare?a={one}&b={one}");
        await Assertions.Expect(page.Locator("[data-testid=compare-error]")).ToHaveTextAsync("서로 다른 두 제출을 고르세요.");
    }

    [BrowserFact]
    public async Task Admin_SetsTheDeadlineInTheBrowsersTimeZone()
    {
        var page = await SignedInPageAsync(timeZone: "Asia/Seoul", token: LeaderboardHost.AdminSecret, landing: "**/admin");
        await Chromium.WaitForCircuitAsync(page);
        var row = page.Locator("[data-testid=sets-table] tbody tr", new() { HasText = SetName });
        await row.Locator("[data-testid=edit-schedule]").ClickAsync();
        await Chromium.Input(page, "schedule-closes").FillAsync("2030-01-01T09:00");
        await Chromium.Input(page, "schedule-limit").FillAsync("3");
        await page.ClickAsync("[data-testid=save-schedule]");
        await Assertions.Expect(page.Locator("[data-testid=set-message]")).ToContainTextAsync("일정을 저장했습니다");

        // 09:00 in Seoul is midnight UTC; the table shows it back in Seoul time.
        var stored = await host.Get<EvaluationSetService>().GetAsync(SetName);
        Assert.Equal((new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc), 3), (stored.ClosesAt, stored.FinalSubmissionLimit));
        await Assertions.Expect(row.Locator("[data-testid=set-phase]")).ToContainTextAsync("2030-01-01 09:00 (UTC+09:00)");

        // A close before the opening is refused in Korean and changes nothing.
        await row.Locator("[data-testid=edit-schedule]").ClickAsync();
        await Chromium.Input(page, "schedule-opens").FillAsync("2030-02-01T09:00");
        await page.ClickAsync("[data-testid=save-schedule]");
        await Assertions.Expect(page.Locator("[data-testid=set-message]")).ToContainTextAsync("마감 시각");
        Assert.Null((await host.Get<EvaluationSetService>().GetAsync(SetName)).OpensAt);

        // Both actions are in the audit log, the refusal too.
        var audit = await host.Get<AuditLog>().ListAsync(10);
        Assert.Equal([("set.schedule", false), ("set.schedule", true)], audit.Select(e => (e.Action, e.Outcome == AuditLog.Ok)));
    }

    [BrowserFact]
    public async Task Admin_SetsTheRetrieverIndex_AnUnknownOneIsRefusedInKorean_AndTheLeaderboardShowsIt()
    {
        pipeline.Indexes.Add("wiki");
        var page = await SignedInPageAsync(token: LeaderboardHost.AdminSecret, landing: "**/admin");
        await Chromium.WaitForCircuitAsync(page);
        var row = page.Locator("[data-testid=sets-table] tbody tr", new() { HasText = SetName });
        await Assertions.Expect(row.Locator("[data-testid=set-index-cell]")).ToHaveTextAsync("기본 색인");

        await row.Locator("[data-testid=edit-schedule]").ClickAsync();
        await Chromium.Input(page, "schedule-index").FillAsync("news");
        await page.ClickAsync("[data-testid=save-schedule]");
        await Assertions.Expect(page.Locator("[data-testid=set-message]"))
            .ToHaveTextAsync("검색기에 \"news\" 색인이 없습니다. 검색기가 가진 색인: default, wiki.");
        Assert.Null((await host.Get<EvaluationSetService>().GetAsync(SetName)).RetrieverIndex);

        await Chromium.Input(page, "schedule-index").FillAsync("wiki");
        await page.ClickAsync("[data-testid=save-schedule]");
        await Assertions.Expect(page.Locator("[data-testid=set-message]")).ToContainTextAsync("일정을 저장했습니다");
        await Assertions.Expect(row.Locator("[data-testid=set-index-cell]")).ToHaveTextAsync("wiki");
        Assert.Equal("wiki", (await host.Get<EvaluationSetService>().GetAsync(SetName)).RetrieverIndex);

        await page.GotoAsync($"/leaderboard/{Uri.EscapeDataString(SetName)}");
        await Assertions.Expect(page.Locator("[data-testid=set-counts] [data-testid=retriever-index]")).ToHaveTextAsync("wiki");
    }

    async Task<IPage> SignedInPageAsync(string? timeZone = null, string? token = null, string landing = "**/submit")
    {
        var page = timeZone is null
            ? await Chromium.NewKoreanPageAsync(browser, host.HttpAddress)
            : await browser.NewPageAsync(new BrowserNewPageOptions
            {
                BaseURL = host.HttpAddress.ToString(), ViewportSize = new ViewportSize { Width = 1400, Height = 1000 }, Locale = "ko-KR", TimezoneId = timeZone,
            });
        page.SetDefaultTimeout(30_000);
        await page.GotoAsync("/signin");
        await Chromium.WaitForCircuitAsync(page);
        await Chromium.Input(page, "token-input").FillAsync(token ?? this.token);
        await page.ClickAsync("[data-testid=signin-button]");
        await page.WaitForURLAsync(landing);
        return page;
    }

    /// <summary>A predictions file right on the first <paramref name="publicRight"/> public questions and on no private one.</summary>
    async Task<long> SubmitAsync(int publicRight)
    {
        var examples = TestSets.Korean.Examples().ToList();
        var answers = examples.Select((e, i) => KeyValuePair.Create(e.Id, i < publicRight ? e.Answers[0].Text : "오답"));
        var submitted = await host.Get<SubmissionService>().SubmitPredictionsAsync(
            team, SetName, new MemoryStream(TestSets.PredictionsJson(answers)), "predictions", $"공개 {publicRight}문항");
        return submitted.Id;
    }
}
