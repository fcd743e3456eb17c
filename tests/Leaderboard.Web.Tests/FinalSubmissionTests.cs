using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Mrc.Contracts.V1;
using Mrc.Leaderboard.Data;
using Mrc.Leaderboard.Domain;
using Mrc.Leaderboard.Tests.Support;

namespace Mrc.Leaderboard.Tests;

/// <summary>
/// Final submissions and the two rankings, over real gRPC and JSON. The set's split is fixed by hand
/// (kq-01..kq-06 public, kq-07..kq-12 private), so every score below is a count of right answers:
///
/// | submission | public right | private right | public EM | private EM |
/// |---|---|---|---|---|
/// | A1 | 6 | 0 | 100 | 0 |
/// | A2 | 3 | 6 | 50 | 100 |
/// | A3 | 4 | 3 | 66.67 | 50 |
/// | B1 | 2 | 4 | 33.33 | 66.67 |
///
/// Team A's best private (A2) is not among its default finals (its two best public: A1, A3), so the
/// private ranking puts B (66.67) above A (50) until A marks A2 final.
/// </summary>
public sealed class FinalSubmissionTests : IAsyncLifetime
{
    const string SetName = "korean-dev";
    TestDatabase database = default!;
    FakePipeline pipeline = default!;
    LeaderboardHost host = default!;
    Domain.EvaluationSetInfo set = default!;
    string alphaToken = "", betaToken = "";
    long a1, a2, a3, b1;

    public async Task InitializeAsync()
    {
        database = TestDatabase.Sqlite();
        pipeline = await FakePipeline.StartAsync();
        TestSets.Configure(pipeline);
        host = await LeaderboardHost.StartAsync(database, pipeline.Address);
        set = await host.Get<EvaluationSetService>().RegisterAsync(SetName, "korean-dev.json", new MemoryStream(TestSets.KoreanJson()));
        await using (var db = await host.Get<IDbContextFactory<LeaderboardDbContext>>().CreateDbContextAsync())
        {
            await db.Questions.Where(q => q.EvaluationSetId == set.Id).ExecuteUpdateAsync(q => q.SetProperty(x => x.IsPrivate, x => x.Ordinal >= 6));
            await db.EvaluationSets.Where(s => s.Id == set.Id).ExecuteUpdateAsync(s => s.SetProperty(x => x.PublicCount, 6).SetProperty(x => x.PrivateCount, 6));
        }
        (_, alphaToken) = await host.Get<TeamService>().CreateAsync("알파");
        (_, betaToken) = await host.Get<TeamService>().CreateAsync("베타");
        a1 = await SubmitAsync(alphaToken, publicRight: 6, privateRight: 0);
        a2 = await SubmitAsync(alphaToken, publicRight: 3, privateRight: 6);
        a3 = await SubmitAsync(alphaToken, publicRight: 4, privateRight: 3);
        b1 = await SubmitAsync(betaToken, publicRight: 2, privateRight: 4);
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        await pipeline.DisposeAsync();
        database.Dispose();
    }

    [Fact]
    public async Task WithoutAChoice_TheBestPublicOnesAreFinal_AndThePrivateRankingUsesOnlyThem()
    {
        var alpha = host.Client(alphaToken);
        var finals = await alpha.GetFinalSubmissionsAsync(new GetFinalSubmissionsRequest { EvaluationSet = SetName });
        Assert.False(finals.Chosen);
        Assert.Equal(2, finals.Limit);
        Assert.Equal([a1, a3], finals.FinalSubmissionIds.Order());
        Assert.Equal([a3, a2, a1], finals.Candidates.Select(c => c.Id));

        // Before the reveal: best public per team and model version; A1 (100) above B1 (33.33).
        var board = await alpha.GetLeaderboardAsync(new GetLeaderboardRequest { EvaluationSet = SetName });
        Assert.Equal([("알파", a1, 3), ("베타", b1, 1)], board.Entries.Select(e => (e.Team, e.BestSubmission.Id, e.SubmissionCount)));
        Assert.Equal(100.0, board.Entries[0].BestSubmission.PublicScores.ExactMatch, 9);

        // After it: one line per team, its best final by private EM: B1 66.67 above A3 50 (not A2's 100).
        await host.Get<EvaluationSetService>().SetPrivateRevealedAsync(set.Id, true);
        board = await alpha.GetLeaderboardAsync(new GetLeaderboardRequest { EvaluationSet = SetName });
        Assert.Equal([(1, "베타", b1), (2, "알파", a3)], board.Entries.Select(e => (e.Rank, e.Team, e.BestSubmission.Id)));
        Assert.Equal(200.0 / 3, board.Entries[0].BestSubmission.PrivateScores.ExactMatch, 9);
        Assert.Equal(50.0, board.Entries[1].BestSubmission.PrivateScores.ExactMatch, 9);
    }

    [Fact]
    public async Task MarkingTheBestPrivateOneFinal_ChangesThePrivateRankingOnly()
    {
        var alpha = host.Client(alphaToken);
        var marked = await alpha.SetFinalSubmissionsAsync(new SetFinalSubmissionsRequest { EvaluationSet = SetName, SubmissionIds = { a2 } });
        Assert.True(marked.Chosen);
        Assert.Equal([a2], marked.FinalSubmissionIds);
        Assert.True(marked.Candidates.Single(c => c.Id == a2).MarkedFinal);

        // The public board still shows A's best public one.
        var board = await alpha.GetLeaderboardAsync(new GetLeaderboardRequest { EvaluationSet = SetName });
        Assert.Equal(a1, board.Entries[0].BestSubmission.Id);

        await host.Get<EvaluationSetService>().SetPrivateRevealedAsync(set.Id, true);
        board = await alpha.GetLeaderboardAsync(new GetLeaderboardRequest { EvaluationSet = SetName });
        Assert.Equal([(1, "알파", a2), (2, "베타", b1)], board.Entries.Select(e => (e.Rank, e.Team, e.BestSubmission.Id)));
        Assert.Equal(100.0, board.Entries[0].BestSubmission.PrivateScores.ExactMatch, 9);

        // An empty choice goes back to the best public ones.
        var cleared = await alpha.SetFinalSubmissionsAsync(new SetFinalSubmissionsRequest { EvaluationSet = SetName });
        Assert.False(cleared.Chosen);
        Assert.Equal([a1, a3], cleared.FinalSubmissionIds.Order());
    }

    [Fact]
    public async Task BadChoices_AreRefusedWithTheirStatus_AndLeaveThePreviousChoice()
    {
        var alpha = host.Client(alphaToken);
        await alpha.SetFinalSubmissionsAsync(new SetFinalSubmissionsRequest { EvaluationSet = SetName, SubmissionIds = { a2 } });

        async Task<RpcException> Refused(string token, string setName, params long[] ids) =>
            await Assert.ThrowsAsync<RpcException>(async () => await host.Client(token).SetFinalSubmissionsAsync(
                new SetFinalSubmissionsRequest { EvaluationSet = setName, SubmissionIds = { ids } }));

        var tooMany = await Refused(alphaToken, SetName, a1, a2, a3);
        Assert.Equal(StatusCode.InvalidArgument, tooMany.StatusCode);
        Assert.Contains("At most 2", tooMany.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.InvalidArgument, (await Refused(alphaToken, SetName, a1, a1)).StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, (await Refused(alphaToken, SetName, a1, b1)).StatusCode);
        Assert.Equal(StatusCode.NotFound, (await Refused(alphaToken, SetName, 999_999)).StatusCode);
        Assert.Equal(StatusCode.NotFound, (await Refused(alphaToken, "없는-세트", a1)).StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, (await Refused(alphaToken, "", a1)).StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, (await Refused(LeaderboardHost.AdminSecret, SetName, a1)).StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, (await Refused("mrc_wrong", SetName, a1)).StatusCode);

        // A run still in progress cannot be final.
        pipeline.ReadGate = new SemaphoreSlim(0);
        var running = await alpha.SubmitAsync(new SubmitRequest { EvaluationSet = SetName, ModelRun = new ModelRun { Model = "klue-bert-base", Version = "v1" } });
        var notDone = await Refused(alphaToken, SetName, running.Id);
        Assert.Equal(StatusCode.FailedPrecondition, notDone.StatusCode);
        await alpha.CancelSubmissionAsync(new CancelSubmissionRequest { SubmissionId = running.Id });
        pipeline.ReadGate.Release(1000);

        // After the close no choice changes.
        var now = DateTime.UtcNow;
        await host.Get<EvaluationSetService>().ScheduleAsync(set.Id, new SetSchedule(now.AddDays(-2), now.AddMinutes(-1)));
        var closed = await Refused(alphaToken, SetName, a1);
        Assert.Equal(StatusCode.FailedPrecondition, closed.StatusCode);
        Assert.Contains("closed", closed.Status.Detail, StringComparison.Ordinal);

        var finals = await alpha.GetFinalSubmissionsAsync(new GetFinalSubmissionsRequest { EvaluationSet = SetName });
        Assert.Equal([a2], finals.FinalSubmissionIds);
        Assert.True(finals.Chosen);
    }

    [Fact]
    public async Task Json_ChoosesAndReadsFinalSubmissions()
    {
        using var http = new HttpClient { BaseAddress = host.HttpAddress, DefaultRequestVersion = HttpVersion.Version11 };
        using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/evaluation-sets/{SetName}/final-submissions")
        {
            Content = new StringContent($"{{\"submissionIds\": [\"{a3}\", \"{a2}\"]}}", Encoding.UTF8, "application/json"),
        };
        put.Headers.Authorization = new AuthenticationHeaderValue("Bearer", alphaToken);
        using var response = await http.SendAsync(put);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal([a2, a3], body.RootElement.GetProperty("finalSubmissionIds").EnumerateArray().Select(e => e.GetInt64()).Order());

        using var tooMany = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/evaluation-sets/{SetName}/final-submissions")
        {
            Content = new StringContent($"{{\"submissionIds\": [{a1}, {a2}, {a3}]}}", Encoding.UTF8, "application/json"),
        };
        tooMany.Headers.Authorization = new AuthenticationHeaderValue("Bearer", alphaToken);
        using var refused = await http.SendAsync(tooMany);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }

    /// <summary>A predictions file right on the first <paramref name="publicRight"/> public and <paramref name="privateRight"/> private questions.</summary>
    async Task<long> SubmitAsync(string token, int publicRight, int privateRight)
    {
        var examples = TestSets.Korean.Examples().ToList();
        var answers = new Dictionary<string, string>();
        for (int i = 0; i < examples.Count; i++)
        {
            bool right = i < 6 ? i < publicRight : i - 6 < privateRight;
            answers[examples[i].Id] = right ? examples[i].Answers[0].Text : "오답";
        }
        var submitted = await host.Client(token).SubmitAsync(new SubmitRequest
        {
            EvaluationSet = SetName,
            Predictions = new PredictionsFile { Json = ByteString.CopyFrom(TestSets.PredictionsJson(answers)), ModelLabel = "predictions" },
        });
        Assert.Equal(SubmissionState.Succeeded, submitted.State);
        return submitted.Id;
    }
}
