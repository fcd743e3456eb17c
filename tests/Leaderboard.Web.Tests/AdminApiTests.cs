using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.EntityFrameworkCore;
using Mrc.Contracts.V1;
using Mrc.Leaderboard.Data;
using Mrc.Leaderboard.Tests.Support;

namespace Mrc.Leaderboard.Tests;

/// <summary>mrc.v1.LeaderboardAdmin over real gRPC and JSON: who may call it, what each call changes, and the audit log.</summary>
public sealed class AdminApiTests : IAsyncLifetime
{
    TestDatabase database = default!;
    FakePipeline pipeline = default!;
    LeaderboardHost host = default!;
    readonly List<GrpcChannel> channels = [];

    public async Task InitializeAsync()
    {
        database = TestDatabase.Sqlite();
        pipeline = await FakePipeline.StartAsync();
        host = await LeaderboardHost.StartAsync(database, pipeline.Address);
    }

    public async Task DisposeAsync()
    {
        foreach (var channel in channels) channel.Dispose();
        await host.DisposeAsync();
        await pipeline.DisposeAsync();
        database.Dispose();
    }

    LeaderboardAdmin.LeaderboardAdminClient Admin(string? token = LeaderboardHost.AdminSecret)
    {
        var credentials = CallCredentials.FromInterceptor((_, metadata) =>
        {
            if (token is not null) metadata.Add("authorization", $"Bearer {token}");
            return Task.CompletedTask;
        });
        var channel = GrpcChannel.ForAddress(host.GrpcAddress, new GrpcChannelOptions
        {
            Credentials = ChannelCredentials.Create(ChannelCredentials.Insecure, credentials),
            UnsafeUseInsecureChannelCallCredentials = true,
        });
        channels.Add(channel);
        return new LeaderboardAdmin.LeaderboardAdminClient(channel);
    }

    static CreateEvaluationSetRequest NewSet(string name) => new()
    {
        Name = name, FileName = "korean-dev.json", Content = ByteString.CopyFrom(TestSets.KoreanJson()),
    };

    static SubmitRequest Predictions(string set, IEnumerable<KeyValuePair<string, string>> answers, string description = "") => new()
    {
        EvaluationSet = set,
        Description = description,
        Predictions = new PredictionsFile { Json = ByteString.CopyFrom(TestSets.PredictionsJson(answers)), ModelLabel = "predictions" },
    };

    [Fact]
    public async Task OnlyTheAdminSecret_MayCall_AndRefusedCallsAreAudited()
    {
        var teamToken = (await Admin().CreateTeamAsync(new CreateTeamRequest { Name = "알파" })).Token;

        var denied = await Assert.ThrowsAsync<RpcException>(async () => await Admin(teamToken).ListTeamsAsync(new ListTeamsRequest()));
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        var anonymous = await Assert.ThrowsAsync<RpcException>(async () => await Admin(null).DeleteTeamAsync(new DeleteTeamRequest { Name = "알파" }));
        Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);

        var entries = (await Admin().ListAuditEntriesAsync(new ListAuditEntriesRequest())).Entries;
        // Newest first; the listing itself is recorded only after it answers.
        Assert.Equal(["DeleteTeam", "ListTeams", "CreateTeam"], entries.Select(e => e.Action));
        Assert.StartsWith("unauthenticated (api, ", entries[0].Actor, StringComparison.Ordinal);
        Assert.Equal(("알파", "Unauthenticated"), (entries[0].Target, entries[0].Outcome.Split(':')[0]));
        Assert.StartsWith("team 알파 (api, ", entries[1].Actor, StringComparison.Ordinal);
        Assert.StartsWith("PermissionDenied: ", entries[1].Outcome, StringComparison.Ordinal);
        Assert.StartsWith("admin (api, ", entries[2].Actor, StringComparison.Ordinal);
        Assert.Equal(("알파", "ok"), (entries[2].Target, entries[2].Outcome));
    }

    [Fact]
    public async Task SetsAndTeams_AreManaged_AndDeletingWithSubmissionsNeedsCascade()
    {
        var admin = Admin();
        var closes = Timestamp.FromDateTime(DateTime.UtcNow.AddDays(7).Date);
        var request = NewSet("korean-dev");
        request.ClosesAt = closes;
        request.FinalSubmissionLimit = 3;
        var set = await admin.CreateEvaluationSetAsync(request);
        Assert.Equal((12, 3, closes), (set.QuestionCount, set.FinalSubmissionLimit, set.ClosesAt));

        var updated = await admin.UpdateEvaluationSetAsync(new UpdateEvaluationSetRequest { Name = "korean-dev", FinalSubmissionLimit = 1 });
        Assert.Equal((1, closes), (updated.FinalSubmissionLimit, updated.ClosesAt));
        updated = await admin.UpdateEvaluationSetAsync(new UpdateEvaluationSetRequest { Name = "korean-dev", ClearClosesAt = true });
        Assert.Null(updated.ClosesAt);

        var team = await admin.CreateTeamAsync(new CreateTeamRequest { Name = "알파" });
        var submitted = await host.Client(team.Token).SubmitAsync(Predictions("korean-dev", TestSets.ExpectedPredictions()));
        var rotated = await admin.RotateTeamTokenAsync(new RotateTeamTokenRequest { Name = "알파" });
        Assert.NotEqual(team.Token, rotated.Token);
        Assert.Equal(StatusCode.Unauthenticated, (await Assert.ThrowsAsync<RpcException>(async () =>
            await host.Client(team.Token).GetSubmissionAsync(new GetSubmissionRequest { SubmissionId = submitted.Id }))).StatusCode);
        Assert.Equal(submitted.Id, (await host.Client(rotated.Token).GetSubmissionAsync(new GetSubmissionRequest { SubmissionId = submitted.Id })).Id);

        // With a submission, deleting needs cascade; the refusal deletes nothing.
        var refusedSet = await Assert.ThrowsAsync<RpcException>(async () => await admin.DeleteEvaluationSetAsync(new DeleteEvaluationSetRequest { Name = "korean-dev" }));
        Assert.Equal(StatusCode.FailedPrecondition, refusedSet.StatusCode);
        Assert.Contains("1 submission(s)", refusedSet.Status.Detail, StringComparison.Ordinal);
        var refusedTeam = await Assert.ThrowsAsync<RpcException>(async () => await admin.DeleteTeamAsync(new DeleteTeamRequest { Name = "알파" }));
        Assert.Equal(StatusCode.FailedPrecondition, refusedTeam.StatusCode);
        await using (var db = await host.Get<IDbContextFactory<LeaderboardDbContext>>().CreateDbContextAsync())
        {
            Assert.Equal(1, await db.Submissions.CountAsync());
            Assert.Equal(12, await db.Predictions.CountAsync());
        }

        await admin.DeleteEvaluationSetAsync(new DeleteEvaluationSetRequest { Name = "korean-dev", Cascade = true });
        await admin.DeleteTeamAsync(new DeleteTeamRequest { Name = "알파" });
        await using (var db = await host.Get<IDbContextFactory<LeaderboardDbContext>>().CreateDbContextAsync())
        {
            Assert.Equal((0, 0, 0, 0), (await db.EvaluationSets.CountAsync(), await db.Questions.CountAsync(), await db.Submissions.CountAsync(), await db.Predictions.CountAsync()));
            Assert.Equal(0, await db.Teams.CountAsync());
        }
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(async () =>
            await admin.DeleteTeamAsync(new DeleteTeamRequest { Name = "알파" }))).StatusCode);
    }

    [Fact]
    public async Task BadSets_AreRefused_AndStoreNothing()
    {
        var admin = Admin();
        var garbage = NewSet("broken");
        garbage.Content = ByteString.CopyFromUtf8("{\"data\": 3}");
        Assert.Equal(StatusCode.InvalidArgument, (await Assert.ThrowsAsync<RpcException>(async () => await admin.CreateEvaluationSetAsync(garbage))).StatusCode);

        var reversed = NewSet("reversed");
        reversed.OpensAt = Timestamp.FromDateTime(new DateTime(2030, 1, 2, 0, 0, 0, DateTimeKind.Utc));
        reversed.ClosesAt = Timestamp.FromDateTime(new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await admin.CreateEvaluationSetAsync(reversed));
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("must come before the closing time", refused.Status.Detail, StringComparison.Ordinal);

        var tooMany = NewSet("limit");
        tooMany.FinalSubmissionLimit = 21;
        Assert.Equal(StatusCode.InvalidArgument, (await Assert.ThrowsAsync<RpcException>(async () => await admin.CreateEvaluationSetAsync(tooMany))).StatusCode);

        await admin.CreateEvaluationSetAsync(NewSet("korean-dev"));
        Assert.Equal(StatusCode.FailedPrecondition, (await Assert.ThrowsAsync<RpcException>(async () => await admin.CreateEvaluationSetAsync(NewSet("korean-dev")))).StatusCode);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(async () =>
            await admin.UpdateEvaluationSetAsync(new UpdateEvaluationSetRequest { Name = "없음", FinalSubmissionLimit = 1 }))).StatusCode);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(async () =>
            await admin.PinBaselineAsync(new PinBaselineRequest { SubmissionId = 404, Pinned = true }))).StatusCode);

        await using var db = await host.Get<IDbContextFactory<LeaderboardDbContext>>().CreateDbContextAsync();
        Assert.Equal(["korean-dev"], await db.EvaluationSets.Select(s => s.Name).ToListAsync());
        Assert.Equal(12, await db.Questions.CountAsync());
    }

    [Fact]
    public async Task ExportedCsv_ListsRankedRowsThenBaselines_AsComputedByHand()
    {
        var admin = Admin();
        await admin.CreateEvaluationSetAsync(NewSet("korean-dev"));
        var set = await host.Get<Domain.EvaluationSetService>().GetAsync("korean-dev");
        await using (var db = await host.Get<IDbContextFactory<LeaderboardDbContext>>().CreateDbContextAsync())
        {
            await db.Questions.Where(q => q.EvaluationSetId == set.Id).ExecuteUpdateAsync(q => q.SetProperty(x => x.IsPrivate, x => x.Ordinal >= 6));
            await db.EvaluationSets.Where(s => s.Id == set.Id).ExecuteUpdateAsync(s => s.SetProperty(x => x.PublicCount, 6).SetProperty(x => x.PrivateCount, 6));
        }
        var alpha = (await admin.CreateTeamAsync(new CreateTeamRequest { Name = "알파" })).Token;
        var organisers = (await admin.CreateTeamAsync(new CreateTeamRequest { Name = "운영진" })).Token;
        var examples = TestSets.Korean.Examples().ToList();
        // Alpha: right on kq-01..03 (public 3/6) and kq-07..12 (private 6/6); "오답" shares no character with any gold answer.
        var alphaAnswers = examples.Select((e, i) => KeyValuePair.Create(e.Id, i is < 3 or >= 6 ? e.Answers[0].Text : "오답"));
        var ranked = await host.Client(alpha).SubmitAsync(Predictions("korean-dev", alphaAnswers, "=1+1, 그리고 \"따옴표\""));
        // The organisers' baseline: right on kq-01 only (public 1/6, private 0/6).
        var baselineAnswers = examples.Select((e, i) => KeyValuePair.Create(e.Id, i == 0 ? e.Answers[0].Text : "오답"));
        var baseline = await host.Client(organisers).SubmitAsync(Predictions("korean-dev", baselineAnswers, "기준선"));
        var pinned = await admin.PinBaselineAsync(new PinBaselineRequest { SubmissionId = baseline.Id, Pinned = true });
        Assert.True(pinned.Baseline);

        using var http = new HttpClient { BaseAddress = host.HttpAddress, DefaultRequestVersion = HttpVersion.Version11 };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/admin/evaluation-sets/korean-dev/leaderboard.csv");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", LeaderboardHost.AdminSecret);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        string Time(Submission s) => s.SubmittedAt.ToDateTime().ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        var expected =
            "rank,baseline,team,model,version,submission_id,public_em,public_f1,private_em,private_f1,retrieval_recall,submission_count,submitted_at,description\r\n" +
            $"1,false,알파,predictions,,{ranked.Id},50.0000,50.0000,100.0000,100.0000,,1,{Time(ranked)},\"'=1+1, 그리고 \"\"따옴표\"\"\"\r\n" +
            $",true,운영진,predictions,,{baseline.Id},16.6667,16.6667,0.0000,0.0000,,1,{Time(baseline)},기준선\r\n";
        Assert.Equal(expected, await response.Content.ReadAsStringAsync());

        // The baseline is not ranked on the board either, and is listed apart.
        var board = await host.Client(alpha).GetLeaderboardAsync(new GetLeaderboardRequest { EvaluationSet = "korean-dev" });
        Assert.Equal(["알파"], board.Entries.Select(e => e.Team));
        Assert.Equal((0, baseline.Id), (board.Baselines.Single().Rank, board.Baselines.Single().BestSubmission.Id));
    }
}
