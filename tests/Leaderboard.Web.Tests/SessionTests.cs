using System.Net;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Mrc.Leaderboard.Auth;
using Mrc.Leaderboard.Domain;
using Mrc.Leaderboard.Tests.Support;

namespace Mrc.Leaderboard.Tests;

/// <summary>Browser sessions over real HTTP: what survives a restart, and what a change of secret ends.</summary>
public sealed class SessionTests
{
    [Fact]
    public async Task SignedInCookie_StillWorksAfterARestart_OnSqlite()
    {
        using var database = TestDatabase.Sqlite();
        await CookieSurvivesRestartAsync(database);
    }

    [PostgresFact]
    public async Task SignedInCookie_StillWorksAfterARestart_OnPostgres()
    {
        await using var postgres = await PostgresServer.StartAsync();
        using var database = TestDatabase.Postgres(postgres.ConnectionString("leaderboard"));
        await CookieSurvivesRestartAsync(database);
    }

    static async Task CookieSurvivesRestartAsync(TestDatabase database)
    {
        await using var pipeline = await FakePipeline.StartAsync();
        Cookie cookie;
        await using (var first = await LeaderboardHost.StartAsync(database, pipeline.Address))
        {
            var (team, _) = await first.Get<TeamService>().CreateAsync("재시작팀");
            cookie = await first.AuthCookieAsync(Caller.ForTeam(team.Id, team.Name));
            using var before = first.Browser(cookie);
            Assert.Equal("/submissions", await LandingPathAsync(before, "/submissions"));
        }

        await using var second = await LeaderboardHost.StartAsync(database, pipeline.Address);
        using var after = second.Browser(cookie);
        Assert.Equal("/submissions", await LandingPathAsync(after, "/submissions"));
    }

    [Fact]
    public async Task AdminCookie_NoLongerReachesAdminPages_AfterARestartWithAnotherAdminSecret()
    {
        using var database = TestDatabase.Sqlite();
        await using var pipeline = await FakePipeline.StartAsync();
        Cookie cookie;
        await using (var first = await LeaderboardHost.StartAsync(database, pipeline.Address))
        {
            cookie = await first.AuthCookieAsync(Caller.Admin);
            using var before = first.Browser(cookie);
            Assert.Equal("/admin/teams", await LandingPathAsync(before, "/admin/teams"));
        }

        // The same secret after a restart: still the administrator.
        await using (var same = await LeaderboardHost.StartAsync(database, pipeline.Address))
        {
            using var again = same.Browser(cookie);
            Assert.Equal("/admin/teams", await LandingPathAsync(again, "/admin/teams"));
        }

        await using var changed = await LeaderboardHost.StartAsync(database, pipeline.Address, new Dictionary<string, string?>
        {
            ["Leaderboard:AdminSecret"] = "another-admin-secret-9876",
        });
        using var after = changed.Browser(cookie);
        Assert.Equal("/signin", await LandingPathAsync(after, "/admin/teams"));
        Assert.Equal("/signin", await LandingPathAsync(after, "/admin/sets"));
    }

    [Fact]
    public async Task SignOut_IsNotAGet_NorAPostWithoutTheAntiforgeryToken()
    {
        using var database = TestDatabase.Sqlite();
        await using var pipeline = await FakePipeline.StartAsync();
        await using var host = await LeaderboardHost.StartAsync(database, pipeline.Address);
        var (team, _) = await host.Get<TeamService>().CreateAsync("로그아웃팀");
        using var client = host.Browser(await host.AuthCookieAsync(Caller.ForTeam(team.Id, team.Name)));

        // A link (or an image on another site) cannot sign anyone out.
        using (await client.GetAsync(new Uri("/account/signout", UriKind.Relative))) { }
        Assert.Equal("/submissions", await LandingPathAsync(client, "/submissions"));

        // Nor can a form posted from another site, which has no antiforgery token.
        using (var post = await client.PostAsync(new Uri("/account/signout", UriKind.Relative), new FormUrlEncodedContent([])))
            Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
        Assert.Equal("/submissions", await LandingPathAsync(client, "/submissions"));
    }

    [Fact]
    public async Task AuthCookie_IsSecure_WhenATrustedProxySaysTheRequestCameOverHttps()
    {
        using var database = TestDatabase.Sqlite();
        await using var pipeline = await FakePipeline.StartAsync();
        await using (var host = await LeaderboardHost.StartAsync(database, pipeline.Address))
        {
            var (team, _) = await host.Get<TeamService>().CreateAsync("프록시팀");
            var caller = Caller.ForTeam(team.Id, team.Name);

            // Behind a TLS proxy on loopback (trusted by default): the cookie is only sent back over HTTPS.
            using (var viaProxy = await CompleteSignInAsync(host, caller, forwardedProto: "https"))
                Assert.Contains("secure", AuthSetCookie(viaProxy), StringComparison.OrdinalIgnoreCase);

            // Plain local HTTP: no Secure flag, or the browser could never send it back, and the session works.
            using var plain = await CompleteSignInAsync(host, caller, forwardedProto: null);
            var setCookie = AuthSetCookie(plain);
            Assert.DoesNotContain("secure", setCookie, StringComparison.OrdinalIgnoreCase);
            var value = setCookie[(setCookie.IndexOf('=', StringComparison.Ordinal) + 1)..setCookie.IndexOf(';', StringComparison.Ordinal)];
            using var client = host.Browser(new Cookie("leaderboard.auth", value, "/", host.HttpAddress.Host));
            Assert.Equal("/submissions", await LandingPathAsync(client, "/submissions"));
        }

        // A proxy that is not trusted cannot say so.
        await using var elsewhere = await LeaderboardHost.StartAsync(database, pipeline.Address, new Dictionary<string, string?>
        {
            ["Leaderboard:TrustedProxies"] = "10.0.0.0/8",
        });
        var (other, _) = await elsewhere.Get<TeamService>().CreateAsync("먼프록시팀");
        using var untrusted = await CompleteSignInAsync(elsewhere, Caller.ForTeam(other.Id, other.Name), forwardedProto: "https");
        Assert.DoesNotContain("secure", AuthSetCookie(untrusted), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task TrustedProxies_ThatAreNotAddresses_StopTheStartWithTheKeyNamed()
    {
        using var database = TestDatabase.Sqlite();
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => LeaderboardHost.StartAsync(database, new Uri("http://127.0.0.1:9"),
            new Dictionary<string, string?> { ["Leaderboard:TrustedProxies"] = "127.0.0.1, proxy.internal" }));
        Assert.Contains("Leaderboard:TrustedProxies", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// What the sign-in page does in a browser: a ticket bound to an antiforgery token, posted with that
    /// token and its cookie to /account/complete-signin; the response is returned unfollowed.
    /// </summary>
    static async Task<HttpResponseMessage> CompleteSignInAsync(LeaderboardHost host, Caller caller, string? forwardedProto)
    {
        var antiforgery = host.Get<IAntiforgery>();
        var options = host.Get<IOptions<AntiforgeryOptions>>().Value;
        var tokens = antiforgery.GetAndStoreTokens(new DefaultHttpContext { RequestServices = host.Services });
        var ticket = host.Get<SignInTickets>().Issue(caller, tokens.RequestToken!);

        using var client = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = host.HttpAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/account/complete-signin", UriKind.Relative))
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["ticket"] = ticket,
                [options.FormFieldName] = tokens.RequestToken!,
            }),
        };
        request.Headers.Add("Cookie", $"{options.Cookie.Name}={tokens.CookieToken}");
        if (forwardedProto is not null) request.Headers.Add("X-Forwarded-Proto", forwardedProto);
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/submit", response.Headers.Location?.OriginalString);
        return response;
    }

    static string AuthSetCookie(HttpResponseMessage response) =>
        Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("leaderboard.auth=", StringComparison.Ordinal));

    /// <summary>Where a GET ends after redirects: the page itself when signed in, /signin when not.</summary>
    internal static async Task<string> LandingPathAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        return response.RequestMessage!.RequestUri!.AbsolutePath;
    }
}
