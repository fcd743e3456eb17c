using Mrc.Leaderboard.Domain;
using Mrc.Leaderboard.Tests.Support;
using Microsoft.Playwright;

namespace Mrc.Leaderboard.Tests;

/// <summary>Sessions in Debian's chromium: open pages, sign-in and sign-out.</summary>
public sealed class SessionBrowserTests : IAsyncLifetime
{
    TestDatabase database = default!;
    FakePipeline pipeline = default!;
    IPlaywright playwright = default!;
    IBrowser browser = default!;

    public async Task InitializeAsync()
    {
        if (Prerequisites.MissingChromium() is { } missing) throw new InvalidOperationException(missing);
        database = TestDatabase.Sqlite();
        pipeline = await FakePipeline.StartAsync();
        playwright = await Playwright.CreateAsync();
        browser = await Chromium.LaunchAsync(playwright);
    }

    public async Task DisposeAsync()
    {
        await browser.DisposeAsync();
        playwright.Dispose();
        await pipeline.DisposeAsync();
        database.Dispose();
    }

    Task<LeaderboardHost> StartHostAsync(Dictionary<string, string?>? overrides = null) =>
        LeaderboardHost.StartAsync(database, pipeline.Address, overrides);

    async Task<IPage> NewPageAsync(LeaderboardHost host)
    {
        var page = await Chromium.NewKoreanPageAsync(browser, host.HttpAddress);
        page.SetDefaultTimeout(30_000);
        return page;
    }

    /// <summary>
    /// Signs in through the page. <paramref name="navigationHeld"/>: the test holds the navigation the
    /// click starts, so the click must not wait for it to finish (it would wait out its timeout).
    /// </summary>
    static async Task SignInAsync(IPage page, string token, bool navigationHeld = false)
    {
        await page.GotoAsync("/signin");
        await Chromium.WaitForCircuitAsync(page);
        await Chromium.Input(page, "token-input").FillAsync(token);
        var button = page.Locator("[data-testid=signin-button]");
        // A click from script returns at once; Playwright's own click waits for the navigation it starts.
        if (navigationHeld) await button.EvaluateAsync("button => button.click()");
        else await button.ClickAsync();
    }

    [BrowserFact]
    public async Task SignInPage_AfterTooManyWrongTokens_RefusesEvenTheRightOne_SayingWhenToRetry()
    {
        // One wrong token is allowed here, so that the test needs no timing between attempts.
        await using var host = await StartHostAsync(new()
        {
            ["Leaderboard:SignInFailuresAllowed"] = "1",
            ["Leaderboard:SignInLockoutSeconds"] = "60",
        });
        var (_, token) = await host.Get<TeamService>().CreateAsync("추측팀");
        var page = await NewPageAsync(host);
        var error = page.Locator("[data-testid=signin-error]");

        await SignInAsync(page, "wrong-token-0123456789");
        await Assertions.Expect(error).ToContainTextAsync("not valid");

        await Chromium.Input(page, "token-input").FillAsync(token);
        await page.ClickAsync("[data-testid=signin-button]");
        await Assertions.Expect(error).ToContainTextAsync("로그인 실패가 너무 많습니다");
        await Assertions.Expect(error).ToContainTextAsync("초 뒤에 다시 시도하세요");
        Assert.Contains("/signin", page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("[data-testid=signed-in-as]")).ToHaveCountAsync(0);
    }

    [BrowserFact]
    public async Task OpenPage_LosesTheTeamsIdentity_SoonAfterItsTokenIsRotated()
    {
        await using var host = await StartHostAsync(new() { ["Leaderboard:SessionRevalidationSeconds"] = "1" });
        var (team, token) = await host.Get<TeamService>().CreateAsync("회전팀");
        var page = await NewPageAsync(host);
        await SignInAsync(page, token);
        await page.WaitForURLAsync("**/submit");
        await Chromium.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=signed-in-as]")).ToHaveTextAsync("회전팀");

        await host.Get<TeamService>().RotateTokenAsync(team.Id);

        // The page makes no request of its own; within a few checks it stands for nobody.
        await Assertions.Expect(page.Locator("[data-testid=signed-in-as]")).ToHaveCountAsync(0, new() { Timeout = 10_000 });
        await page.WaitForURLAsync("**/signin**", new() { Timeout = 10_000 });
    }

    [BrowserFact]
    public async Task SignOutControl_SignsOutWithAPost()
    {
        await using var host = await StartHostAsync();
        var (_, token) = await host.Get<TeamService>().CreateAsync("나갈팀");
        var page = await NewPageAsync(host);
        await SignInAsync(page, token);
        await page.WaitForURLAsync("**/submit");
        await Chromium.WaitForCircuitAsync(page);

        var signOut = await page.RunAndWaitForRequestAsync(
            () => page.ClickAsync("[data-testid=signout-button]"), r => r.Url.Contains("/account/signout", StringComparison.Ordinal));
        Assert.Equal("POST", signOut.Method);
        await Chromium.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=signed-in-as]")).ToHaveCountAsync(0);
        await page.GotoAsync("/submissions");
        await page.WaitForURLAsync("**/signin**");

        // Signing in again from the app bar, a move within the open page.
        await page.GotoAsync("/");
        await Chromium.WaitForCircuitAsync(page);
        await page.ClickAsync("[data-testid=signin-link]");
        await page.WaitForURLAsync("**/signin");
        await Chromium.Input(page, "token-input").FillAsync(token);
        await page.ClickAsync("[data-testid=signin-button]");
        await page.WaitForURLAsync("**/submit");
        await Assertions.Expect(page.Locator("[data-testid=signed-in-as]")).ToHaveTextAsync("나갈팀");
    }

    [BrowserFact]
    public async Task SignInCompletion_TakenToAnotherBrowser_DoesNotSignItIn()
    {
        await using var host = await StartHostAsync();
        var (_, token) = await host.Get<TeamService>().CreateAsync("공격팀");
        var options = new BrowserNewContextOptions { BaseURL = host.HttpAddress.ToString(), Locale = "ko-KR" };
        await using var asker = await browser.NewContextAsync(options);
        await using var victim = await browser.NewContextAsync(options);

        // Hold the completion request of the browser that signed in: what a login-CSRF attacker
        // would make a victim's browser send, as a link or as a form on another site.
        var held = new TaskCompletionSource<IRoute>(TaskCreationOptions.RunContinuationsAsynchronously);
        var page = await asker.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        await page.RouteAsync("**/account/complete-signin**", route =>
        {
            held.TrySetResult(route);
            return Task.CompletedTask;
        });
        await SignInAsync(page, token, navigationHeld: true);
        var completion = await held.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var request = completion.Request;

        var victimPage = await victim.NewPageAsync();
        victimPage.SetDefaultTimeout(30_000);
        await victimPage.GotoAsync("/");
        if (request.Method == "GET")
            await victimPage.GotoAsync(request.Url);
        else
            await victim.APIRequest.PostAsync(request.Url, new()
            {
                Headers = new Dictionary<string, string> { ["Content-Type"] = "application/x-www-form-urlencoded" },
                Data = request.PostData,
            });
        Assert.DoesNotContain(await victim.CookiesAsync(), c => c.Name == "leaderboard.auth");
        await victimPage.GotoAsync("/submissions");
        await victimPage.WaitForURLAsync("**/signin**");

        // In the browser that asked for it, the same ticket signs in.
        await completion.ContinueAsync();
        await page.WaitForURLAsync("**/submit");
        await Chromium.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=signed-in-as]")).ToHaveTextAsync("공격팀");
    }
}
