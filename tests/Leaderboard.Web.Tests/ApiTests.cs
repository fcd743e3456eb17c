using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Mrc.Leaderboard.Data;
using Mrc.Leaderboard.Domain;
using Mrc.Leaderboard.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Mrc.Contracts.V1;

namespace Mrc.Leaderboard.Tests;

/// <summary>Token and visibility rules of the mrc.v1.Leaderboard API, over real gRPC (HTTP/2) and JSON (HTTP/1.1).</summary>
public sealed class ApiTests : IAsyncLifetime
{
    TestDatabase database = default!;
    FakePipeline pipeline = default!;
    LeaderboardHost host = default!;
    string alphaToken = "", betaToken = "";
    long alphaSubmission;

    public async Task InitializeAsync()
    {
        database = TestDatabase.Sqlite();
        pipeline = await FakePipeline.StartAsync();
        host = await LeaderboardHost.StartAsync(database, pipeline.Address, new Dictionary<string, string?>
        {
            ["Leaderboard:DailySubmissionLimit"] = "3",
        });
        await host.Get<EvaluationSetService>().RegisterAsync("korean-dev", "korean-dev.json", new MemoryStream(TestSets.KoreanJson()));
        (_, alphaToken) = await host.Get<TeamService>().CreateAsync("알파");
        (_, betaToken) = await host.Get<TeamService>().CreateAsync("베타");
        var submitted = await host.Client(alphaToken).SubmitAsync(PredictionsRequest(TestSets.ExpectedPredictions()));
        alphaSubmission = submitted.Id;
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        await pipeline.DisposeAsync();
        database.Dispose();
    }

    static SubmitRequest PredictionsRequest(IEnumerable<KeyValuePair<string, string>> predictions, string set = "korean-dev") => new()
    {
        EvaluationSet = set,
        Description = "정답 절반",
        Predictions = new PredictionsFile { Json = ByteString.CopyFrom(TestSets.PredictionsJson(predictions)), ModelLabel = "rule-based" },
    };

    static async Task<StatusCode> StatusOf(Func<Task> call) => (await Assert.ThrowsAsync<RpcException>(call)).StatusCode;

    [Fact]
    public async Task Calls_WithoutOrWithWrongToken_AreUnauthenticated()
    {
        Assert.Equal(StatusCode.Unauthenticated, await StatusOf(() => host.Client(null).ListEvaluationSetsAsync(new()).ResponseAsync));
        Assert.Equal(StatusCode.Unauthenticated, await StatusOf(() => host.Client("mrc_not-a-token").ListEvaluationSetsAsync(new()).ResponseAsync));
        Assert.Equal(StatusCode.Unauthenticated, await StatusOf(() =>
            host.Client(null).SubmitAsync(PredictionsRequest(TestSets.ExpectedPredictions())).ResponseAsync));
    }

    [Fact]
    public async Task ExpiredToken_IsUnauthenticated()
    {
        var (team, token) = await host.Get<TeamService>().CreateAsync("만료팀");
        var factory = host.Get<IDbContextFactory<LeaderboardDbContext>>();
        await using (var db = await factory.CreateDbContextAsync())
            await db.Teams.Where(t => t.Id == team.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.TokenExpiresAt, DateTime.UtcNow.AddMinutes(-1)));

        var error = await Assert.ThrowsAsync<RpcException>(() => host.Client(token).ListEvaluationSetsAsync(new()).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Contains("expired", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WatchSubmission_OfAnotherTeam_IsRefusedBeforeListening_AndWatchersLeaveNothingBehind()
    {
        var hub = host.Get<Mrc.Leaderboard.Evaluation.ProgressHub>();
        using (var refused = host.Client(betaToken).WatchSubmission(new WatchSubmissionRequest { SubmissionId = alphaSubmission }))
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => refused.ResponseStream.MoveNext());
            Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        }
        Assert.Equal(0, hub.WatchedSubmissions);

        using (var watch = host.Client(alphaToken).WatchSubmission(new WatchSubmissionRequest { SubmissionId = alphaSubmission }))
        {
            while (await watch.ResponseStream.MoveNext()) { }
        }
        Assert.Equal(0, hub.WatchedSubmissions);
    }

    [Fact]
    public async Task AnotherTeamsSubmission_IsPermissionDenied()
    {
        var beta = host.Client(betaToken);
        var request = new GetSubmissionRequest { SubmissionId = alphaSubmission };
        Assert.Equal(StatusCode.PermissionDenied, await StatusOf(() => beta.GetSubmissionAsync(request).ResponseAsync));
        Assert.Equal(StatusCode.PermissionDenied, await StatusOf(() =>
            beta.ListPredictionsAsync(new ListPredictionsRequest { SubmissionId = alphaSubmission }).ResponseAsync));
        Assert.Equal(StatusCode.PermissionDenied, await StatusOf(() => beta.CancelSubmissionAsync(new CancelSubmissionRequest { SubmissionId = alphaSubmission }).ResponseAsync));
    }

    [Fact]
    public async Task PrivateScoresAndGold_AreHiddenUntilTheReveal()
    {
        var alpha = host.Client(alphaToken);
        var set = await host.Get<EvaluationSetService>().GetAsync("korean-dev");
        Assert.True(set.PrivateCount > 0 && set.PublicCount > 0);

        var before = await alpha.GetSubmissionAsync(new GetSubmissionRequest { SubmissionId = alphaSubmission });
        Assert.NotNull(before.PublicScores);
        Assert.Null(before.PrivateScores);
        var rowsBefore = await alpha.ListPredictionsAsync(new ListPredictionsRequest { SubmissionId = alphaSubmission, PageSize = 500 });
        Assert.Equal(set.PublicCount, rowsBefore.Rows.Count);
        Assert.All(rowsBefore.Rows, r => Assert.False(r.IsPrivate));
        var boardBefore = await host.Client(betaToken).GetLeaderboardAsync(new GetLeaderboardRequest { EvaluationSet = "korean-dev" });
        Assert.False(boardBefore.PrivateRevealed);
        Assert.All(boardBefore.Entries, e => Assert.Null(e.BestSubmission.PrivateScores));

        await host.Get<EvaluationSetService>().SetPrivateRevealedAsync(set.Id, true);

        var after = await alpha.GetSubmissionAsync(new GetSubmissionRequest { SubmissionId = alphaSubmission });
        Assert.NotNull(after.PrivateScores);
        var rowsAfter = await alpha.ListPredictionsAsync(new ListPredictionsRequest { SubmissionId = alphaSubmission, PageSize = 500 });
        Assert.Equal(set.QuestionCount, rowsAfter.Rows.Count);
        Assert.All(rowsAfter.Rows.Where(r => r.IsPrivate), r => Assert.NotEmpty(r.GoldAnswers));
        var boardAfter = await host.Client(betaToken).GetLeaderboardAsync(new GetLeaderboardRequest { EvaluationSet = "korean-dev" });
        Assert.True(boardAfter.PrivateRevealed);
        Assert.All(boardAfter.Entries, e => Assert.NotNull(e.BestSubmission.PrivateScores));

        await host.Get<EvaluationSetService>().SetPrivateRevealedAsync(set.Id, false);
    }

    [Fact]
    public async Task ListPredictions_PagesAndFiltersWrongAnswers()
    {
        // Which questions are visible depends on the set's secret split, drawn at registration, so the
        // expectations follow from the visible rows: pages of one fewer than all of them, and exactly the
        // even-numbered questions wrong (TestSets.ExpectedAnswer answers those wrong on purpose).
        var alpha = host.Client(alphaToken);
        var all = await alpha.ListPredictionsAsync(new ListPredictionsRequest { SubmissionId = alphaSubmission, PageSize = 500 });
        Assert.NotEmpty(all.Rows);
        Assert.Equal("", all.NextPageToken);
        int pageSize = Math.Max(1, all.Rows.Count - 1);
        var first = await alpha.ListPredictionsAsync(new ListPredictionsRequest { SubmissionId = alphaSubmission, PageSize = pageSize });
        Assert.Equal(pageSize, first.Rows.Count);
        if (all.Rows.Count > 1)
        {
            Assert.Equal(pageSize.ToString(System.Globalization.CultureInfo.InvariantCulture), first.NextPageToken);
            var second = await alpha.ListPredictionsAsync(new ListPredictionsRequest { SubmissionId = alphaSubmission, PageSize = pageSize, PageToken = first.NextPageToken });
            Assert.Single(second.Rows);
            Assert.DoesNotContain(second.Rows, r => first.Rows.Any(f => f.QuestionId == r.QuestionId));
        }

        var wrong = await alpha.ListPredictionsAsync(new ListPredictionsRequest { SubmissionId = alphaSubmission, PageSize = 500, WrongOnly = true });
        var expectedWrong = all.Rows.Select(r => r.QuestionId)
            .Where(id => int.Parse(id[3..], System.Globalization.CultureInfo.InvariantCulture) % 2 == 0).Order().ToArray();
        Assert.Equal(expectedWrong, wrong.Rows.Select(r => r.QuestionId).Order().ToArray());
        Assert.All(wrong.Rows, r => Assert.True(r.ExactMatch < 100));
        Assert.Equal(StatusCode.InvalidArgument, await StatusOf(() =>
            alpha.ListPredictionsAsync(new ListPredictionsRequest { SubmissionId = alphaSubmission, PageSize = 501 }).ResponseAsync));
    }

    [Fact]
    public async Task BadSubmissions_GetPreciseStatusCodes()
    {
        var alpha = host.Client(alphaToken);
        Assert.Equal(StatusCode.NotFound, await StatusOf(() => alpha.SubmitAsync(
            PredictionsRequest(TestSets.ExpectedPredictions(), set: "없는-세트")).ResponseAsync));
        Assert.Equal(StatusCode.NotFound, await StatusOf(() =>
            alpha.GetSubmissionAsync(new GetSubmissionRequest { SubmissionId = 999_999 }).ResponseAsync));

        var unknown = await Assert.ThrowsAsync<RpcException>(() => alpha.SubmitAsync(PredictionsRequest(
            new Dictionary<string, string> { ["kq-01"] = "서울특별시", ["no-such-id"] = "?" })).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, unknown.StatusCode);
        Assert.Contains("\"no-such-id\"", unknown.Status.Detail, StringComparison.Ordinal);

        var malformed = new SubmitRequest
        {
            EvaluationSet = "korean-dev",
            Predictions = new PredictionsFile { Json = ByteString.CopyFromUtf8("{\"kq-01\": 3}") },
        };
        var format = await Assert.ThrowsAsync<RpcException>(() => alpha.SubmitAsync(malformed).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, format.StatusCode);
        Assert.Contains("expected a string", format.Status.Detail, StringComparison.Ordinal);

        var unknownModel = new SubmitRequest { EvaluationSet = "korean-dev", ModelRun = new ModelRun { Model = "없는-모델" } };
        Assert.Equal(StatusCode.InvalidArgument, await StatusOf(() => alpha.SubmitAsync(unknownModel).ResponseAsync));
        var unknownVersion = new SubmitRequest { EvaluationSet = "korean-dev", ModelRun = new ModelRun { Model = "klue-bert-base", Version = "v9" } };
        Assert.Equal(StatusCode.InvalidArgument, await StatusOf(() => alpha.SubmitAsync(unknownVersion).ResponseAsync));
        Assert.Equal(StatusCode.InvalidArgument, await StatusOf(() => alpha.SubmitAsync(new SubmitRequest { EvaluationSet = "korean-dev" }).ResponseAsync));

        Assert.Equal(StatusCode.FailedPrecondition, await StatusOf(() =>
            alpha.CancelSubmissionAsync(new CancelSubmissionRequest { SubmissionId = alphaSubmission }).ResponseAsync));
        Assert.Equal(StatusCode.PermissionDenied, await StatusOf(() =>
            host.Client(LeaderboardHost.AdminSecret).SubmitAsync(PredictionsRequest(TestSets.ExpectedPredictions())).ResponseAsync));
    }

    [Fact]
    public async Task DailyLimit_IsResourceExhausted()
    {
        var (_, token) = await host.Get<TeamService>().CreateAsync("감마");
        var gamma = host.Client(token);
        for (int i = 0; i < 3; i++) await gamma.SubmitAsync(PredictionsRequest(TestSets.ExpectedPredictions()));
        var error = await Assert.ThrowsAsync<RpcException>(() => gamma.SubmitAsync(PredictionsRequest(TestSets.ExpectedPredictions())).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("3 submissions", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LatestVersion_ResolvesToTheHighestAndIsRecorded()
    {
        var (_, token) = await host.Get<TeamService>().CreateAsync("델타");
        var submission = await host.Client(token).SubmitAsync(new SubmitRequest
        {
            EvaluationSet = "korean-dev",
            Description = "기본 설정",
            ModelRun = new ModelRun { Model = "klue-bert-base", Version = "latest", TopK = 3 },
        });
        Assert.Equal("v2", submission.Version);
        Assert.Equal("기본 설정", submission.Description);
    }

    [Fact]
    public async Task JsonTranscoding_ServesTheSameCallsOverHttp1()
    {
        using var http = new HttpClient { BaseAddress = host.HttpAddress, DefaultRequestVersion = HttpVersion.Version11 };
        var anonymous = await http.GetAsync(new Uri("/api/v1/evaluation-sets", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/submissions/{alphaSubmission}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", betaToken);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(request)).StatusCode);

        using var board = new HttpRequestMessage(HttpMethod.Get, "/api/v1/evaluation-sets/korean-dev/leaderboard");
        board.Headers.Authorization = new AuthenticationHeaderValue("Bearer", alphaToken);
        var response = await http.SendAsync(board);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new Version(1, 1), response.Version);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var entry = json.RootElement.GetProperty("entries")[0];
        Assert.Equal("알파", entry.GetProperty("team").GetString());
        var privateIds = await TestSets.PrivateIdsAsync(host, "korean-dev");
        var publicQuestions = TestSets.Korean.Examples().Where(e => !privateIds.Contains(e.Id))
            .Select(e => (e.Id, (IReadOnlyList<string>)e.Answers.Select(a => a.Text).ToList()));
        var expected = Mrc.Core.Metrics.KorQuadMetrics.Evaluate(publicQuestions, TestSets.ExpectedPredictions());
        Assert.Equal(expected.ExactMatch, entry.GetProperty("bestSubmission").GetProperty("publicScores").GetProperty("exactMatch").GetDouble(), 9);
    }
}
