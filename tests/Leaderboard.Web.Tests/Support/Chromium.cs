using Microsoft.Playwright;

namespace Mrc.Leaderboard.Tests.Support;

/// <summary>
/// Debian's chromium through Playwright (no browser download), and the few page helpers every
/// leaderboard browser test needs. Also compiled into the AppHost tests.
/// </summary>
public static class Chromium
{
    static readonly string[] Args =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run",
    ];

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Prerequisites.ChromiumPath,
            Headless = true,
            Args = Args,
        });

    /// <summary>A Korean-locale page at a desktop size, with relative URLs resolved against <paramref name="baseUrl"/>.</summary>
    public static Task<IPage> NewKoreanPageAsync(IBrowser browser, Uri baseUrl) =>
        browser.NewPageAsync(new BrowserNewPageOptions
        {
            BaseURL = baseUrl.ToString(),
            ViewportSize = new ViewportSize { Width = 1400, Height = 1000 },
            Locale = "ko-KR",
        });

    /// <summary>Clicks only work once the interactive circuit has taken over the prerendered page.</summary>
    public static Task WaitForCircuitAsync(IPage page) =>
        page.Locator("[data-testid=circuit][data-interactive=true]").WaitForAsync();

    /// <summary>The input or textarea that a MudBlazor field with this data-testid renders.</summary>
    public static ILocator Input(IPage page, string testId) =>
        page.Locator($"input[data-testid={testId}], [data-testid={testId}] input, textarea[data-testid={testId}], [data-testid={testId}] textarea").First;
}
