using Google.Protobuf;
using Grpc.Core;
using Mrc.Contracts.V1;
using Mrc.Leaderboard.Domain;
using Mrc.Leaderboard.Tests.Support;

namespace Mrc.Leaderboard.Tests;

/// <summary>A set's opening and closing times over real gRPC, and the reveal at the close.</summary>
public sealed class PhaseTests : IAsyncLifetime
{
    const string SetName = "korean-dev";
    TestDatabase database = default!;
    FakePipeline pipeline = default!;
    LeaderboardHost host = default!;
    Domain.EvaluationSetInfo set = default!;
    string token = "";

    public async Task InitializeAsync()
    {
        database = TestDatabase.Sqlite();
        pipeline = await FakePipeline.StartAsync();
        host = await LeaderboardHost.StartAsync(database, pipeline.Address, new Dictionary<string, string?>
        {
            ["Leaderboard:PhaseCheckSeconds"] = "0.1",
        });
        set = await host.Get<EvaluationSetService>().RegisterAsync(SetName, "korean-dev.json", new MemoryStream(TestSets.KoreanJson()));
        (_, token) = await host.Get<TeamService>().CreateAsync("알파");
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        await pipeline.DisposeAsync();
        database.Dispose();
    }

    static SubmitRequest Predictions() => new()
    {
        EvaluationSet = SetName,
        Predictions = new PredictionsFile { Json = ByteString.CopyFrom(TestSets.PredictionsJson(TestSets.ExpectedPredictions())) },
    };

    [Fact]
    public async Task Submissions_OutsideTheOpenPhase_AreRefusedWithFailedPrecondition()
    {
        var sets = host.Get<EvaluationSetService>();
        var client = host.Client(token);
        var now = DateTime.UtcNow;
        var opens = new DateTime(now.Year + 1, 3, 1, 9, 0, 0, DateTimeKind.Utc);

        await sets.ScheduleAsync(set.Id, new SetSchedule(opens, opens.AddDays(30)));
        var early = await Assert.ThrowsAsync<RpcException>(async () => await client.SubmitAsync(Predictions()));
        Assert.Equal(StatusCode.FailedPrecondition, early.StatusCode);
        Assert.Equal($"Evaluation set \"{SetName}\" opens for submissions at {opens.Year}-03-01 09:00 UTC.", early.Status.Detail);

        await sets.ScheduleAsync(set.Id, new SetSchedule(now.AddDays(-1), now.AddDays(1)));
        Assert.Equal(SubmissionState.Succeeded, (await client.SubmitAsync(Predictions())).State);

        await sets.ScheduleAsync(set.Id, new SetSchedule(now.AddDays(-2), now.AddMinutes(-1)));
        var late = await Assert.ThrowsAsync<RpcException>(async () => await client.SubmitAsync(Predictions()));
        Assert.Equal(StatusCode.FailedPrecondition, late.StatusCode);
        Assert.Contains("closed for submissions", late.Status.Detail, StringComparison.Ordinal);

        // The set lists its phases.
        var listed = (await client.ListEvaluationSetsAsync(new ListEvaluationSetsRequest())).EvaluationSets.Single();
        Assert.Equal(now.AddMinutes(-1), listed.ClosesAt.ToDateTime(), TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, listed.FinalSubmissionLimit);
    }

    [Fact]
    public async Task TheClose_RevealsThePrivateSplitOnce_AndIsAudited()
    {
        var sets = host.Get<EvaluationSetService>();
        var client = host.Client(token);
        await sets.ScheduleAsync(set.Id, new SetSchedule(null, DateTime.UtcNow.AddSeconds(2)));
        Assert.False((await client.GetLeaderboardAsync(new GetLeaderboardRequest { EvaluationSet = SetName })).PrivateRevealed);

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!(await client.GetLeaderboardAsync(new GetLeaderboardRequest { EvaluationSet = SetName })).PrivateRevealed)
        {
            Assert.True(DateTime.UtcNow < deadline, "the close did not reveal the private split");
            await Task.Delay(100);
        }
        var entry = (await host.Get<AuditLog>().ListAsync(10)).Single(e => e.Action == "set.reveal");
        Assert.Equal(("system (close)", SetName, AuditLog.Ok), (entry.Actor, entry.Target, entry.Outcome));

        // Hidden again by the admin, it stays hidden: the close reveals a set only once.
        await sets.SetPrivateRevealedAsync(set.Id, false);
        await Task.Delay(500);
        Assert.False((await client.GetLeaderboardAsync(new GetLeaderboardRequest { EvaluationSet = SetName })).PrivateRevealed);
    }

    [Fact]
    public async Task BadSchedules_AreRefused_AndChangeNothing()
    {
        var sets = host.Get<EvaluationSetService>();
        var at = new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var reversed = await Assert.ThrowsAsync<LeaderboardException>(() => sets.ScheduleAsync(set.Id, new SetSchedule(at, at.AddHours(-1))));
        Assert.Equal(LeaderboardError.InvalidArgument, reversed.Error);
        Assert.Equal("시작 시각(2030-01-01 00:00 UTC)은 마감 시각(2029-12-31 23:00 UTC)보다 앞서야 합니다.", reversed.Korean);
        Assert.Equal(LeaderboardError.InvalidArgument,
            (await Assert.ThrowsAsync<LeaderboardException>(() => sets.ScheduleAsync(set.Id, new SetSchedule(null, null, 0)))).Error);
        Assert.Equal(LeaderboardError.NotFound,
            (await Assert.ThrowsAsync<LeaderboardException>(() => sets.ScheduleAsync(999, new SetSchedule(null, null)))).Error);
        var unchanged = await sets.GetAsync(SetName);
        Assert.Equal((null, null, 2), (unchanged.OpensAt, unchanged.ClosesAt, unchanged.FinalSubmissionLimit));
    }
}
