using System.Net;
using Google.Protobuf;
using Mrc.Leaderboard.Domain;
using Mrc.Leaderboard.Tests.Support;
using Mrc.Contracts.V1;

namespace Mrc.Leaderboard.Tests;

/// <summary>The same visibility rules through the pages (server-prerendered HTML, signed in with the cookie).</summary>
public sealed class PageVisibilityTests : IAsyncLifetime
{
    TestDatabase database = default!;
    FakePipeline pipeline = default!;
    LeaderboardHost host = default!;
    TeamInfo alpha = default!, beta = default!;
    long alphaSubmission;

    public async Task InitializeAsync()
    {
        database = TestDatabase.Sqlite();
        pipeline = await FakePipeline.StartAsync();
        host = await LeaderboardHost.StartAsync(database, pipeline.Address);
        await host.Get<EvaluationSetService>().RegisterAsync("korean-dev", "korean-dev.json", new MemoryStream(TestSets.KoreanJson()));
        string alphaToken;
        (alpha, alphaToken) = await host.Get<TeamService>().CreateAsync("알파");
        (beta, _) = await host.Get<TeamService>().CreateAsync("베타");
        var submitted = await host.Client(alphaToken).SubmitAsync(new SubmitRequest
        {
            EvaluationSet = "korean-dev",
            Description = "비밀 설명 아님",
            Predictions = new PredictionsFile { Json = ByteString.CopyFrom(TestSets.PredictionsJson(TestSets.ExpectedPredictions())) },
        });
        alphaSubmission = submitted.Id;
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        await pipeline.DisposeAsync();
        database.Dispose();
    }

    async Task<HttpClient> SignedInAsync(Caller caller)
    {
        var client = host.Browser(await host.AuthCookieAsync(caller));
        var response = await client.GetAsync(new Uri("/", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return client;
    }

    [Fact]
    public async Task AnotherTeamsSubmissionPage_ShowsOnlyTheRefusal()
    {
        using var client = await SignedInAsync(Caller.ForTeam(beta.Id, beta.Name));
        var html = await client.GetStringAsync(new Uri($"/submissions/{alphaSubmission}", UriKind.Relative));
        Assert.Contains("belongs to another team", html, StringComparison.Ordinal);
        Assert.DoesNotContain("score-public", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OwnSubmissionPage_ShowsPublicScoresButNotPrivateBeforeTheReveal()
    {
        using var client = await SignedInAsync(Caller.ForTeam(alpha.Id, alpha.Name));
        var html = await client.GetStringAsync(new Uri($"/submissions/{alphaSubmission}", UriKind.Relative));
        Assert.Contains("data-testid=\"score-public\"", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"score-private-hidden\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"score-private\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnonymousVisitors_SeeNoPrivateColumnsAndCannotOpenSubmissions()
    {
        using var client = new HttpClient { BaseAddress = host.HttpAddress };
        var board = await client.GetStringAsync(new Uri("/", UriKind.Relative));
        Assert.Contains("알파", board, StringComparison.Ordinal);
        Assert.DoesNotContain("비공개 EM", board, StringComparison.Ordinal);

        var detail = await client.GetAsync(new Uri($"/submissions/{alphaSubmission}", UriKind.Relative));
        Assert.Contains("/signin", detail.RequestMessage!.RequestUri!.AbsolutePath + detail.RequestMessage.RequestUri.Query, StringComparison.Ordinal);
        Assert.DoesNotContain("score-public", await detail.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RotatingATeamsToken_EndsItsBrowserSession()
    {
        var (team, _) = await host.Get<TeamService>().CreateAsync("감마");
        using var client = await SignedInAsync(Caller.ForTeam(team.Id, team.Name));
        var before = await client.GetAsync(new Uri("/submissions", UriKind.Relative));
        Assert.Equal("/submissions", before.RequestMessage!.RequestUri!.AbsolutePath);

        await host.Get<TeamService>().RotateTokenAsync(team.Id);

        var after = await client.GetAsync(new Uri("/submissions", UriKind.Relative));
        Assert.Equal("/signin", after.RequestMessage!.RequestUri!.AbsolutePath);
    }

    [Fact]
    public async Task AdminPages_RefuseTeams()
    {
        using var client = await SignedInAsync(Caller.ForTeam(alpha.Id, alpha.Name));
        var response = await client.GetAsync(new Uri("/admin/teams", UriKind.Relative));
        Assert.DoesNotContain("data-testid=\"create-team\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var audit = await client.GetAsync(new Uri("/admin/audit", UriKind.Relative));
        Assert.DoesNotContain("data-testid=\"audit-table\"", await audit.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditPage_ShowsTheAdminsActions()
    {
        await host.Get<AuditLog>().RunAsync("admin (browser)", "team.rotate-token", "베타", () => host.Get<TeamService>().RotateTokenAsync(beta.Id));
        using var admin = await SignedInAsync(Caller.Admin);
        var page = await admin.GetStringAsync(new Uri("/admin/audit", UriKind.Relative));
        Assert.Contains("data-testid=\"audit-table\"", page, StringComparison.Ordinal);
        Assert.Contains("team.rotate-token", page, StringComparison.Ordinal);
        Assert.Contains("admin (browser)", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CsvDownload_ShowsWhatTheViewerSees_AndTheBoardMarksBaselines()
    {
        using var anonymous = host.Browser();
        using var response = await anonymous.GetAsync(new Uri("/leaderboard-csv/korean-dev", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("korean-dev-leaderboard.csv", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName);
        var csv = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("rank,baseline,team,model,version,submission_id,public_em,public_f1,retrieval_recall,", csv.TrimStart('\uFEFF'), StringComparison.Ordinal);
        Assert.Contains($"1,false,알파,predictions,,{alphaSubmission},", csv, StringComparison.Ordinal);

        using var admin = await SignedInAsync(Caller.Admin);
        var adminCsv = await admin.GetStringAsync(new Uri("/leaderboard-csv/korean-dev", UriKind.Relative));
        Assert.Contains(",public_em,public_f1,private_em,private_f1,", adminCsv, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(new Uri("/leaderboard-csv/없음", UriKind.Relative))).StatusCode);

        await host.Get<BaselineService>().PinAsync(alphaSubmission, true);
        var page = await anonymous.GetStringAsync(new Uri("/leaderboard/korean-dev", UriKind.Relative));
        Assert.Contains("data-testid=\"baseline-chip\"", page, StringComparison.Ordinal);
        Assert.Contains("baseline-row", page, StringComparison.Ordinal);
    }
}
