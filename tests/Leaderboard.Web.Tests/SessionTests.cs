using System.Net;
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

    /// <summary>Where a GET ends after redirects: the page itself when signed in, /signin when not.</summary>
    internal static async Task<string> LandingPathAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        return response.RequestMessage!.RequestUri!.AbsolutePath;
    }
}
