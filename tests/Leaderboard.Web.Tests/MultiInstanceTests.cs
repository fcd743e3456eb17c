using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.EntityFrameworkCore;
using Mrc.Contracts.V1;
using Mrc.EndToEnd.Tests.Support;
using Mrc.Leaderboard.Data;
using Mrc.Leaderboard.Tests.Support;

namespace Mrc.Leaderboard.Tests;

/// <summary>
/// Two leaderboard instances on one database, as a scaled-out deployment runs them: one is the built
/// Leaderboard.Web as its own process (so nothing in memory is shared), the other a host in this
/// process. Together they must keep the daily limit, and share model runs without running one twice.
/// </summary>
public sealed class MultiInstanceTests
{
    const string TeamToken = "multi-instance-team-token";
    const string SetName = "korean-dev";
    static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    static SubmitRequest Run() => new()
    {
        EvaluationSet = SetName,
        ModelRun = new ModelRun { Model = "klue-bert-base", Version = "v1", TopK = 1 },
    };

    static readonly Metadata Auth = new() { { "authorization", $"Bearer {TeamToken}" } };

    /// <summary>The leaderboard as its own process; it registers the set and the team at its first start.</summary>
    static Task<ServiceProcess> StartProcessAsync(TestDatabase database, FakePipeline pipeline, string setFile, IDictionary<string, string> extra)
    {
        var settings = new Dictionary<string, string>
        {
            ["Leaderboard:AdminSecret"] = LeaderboardHost.AdminSecret,
            ["Evaluation:RetrieverAddress"] = pipeline.Address.ToString(),
            ["Evaluation:ReaderAddress"] = pipeline.Address.ToString(),
            ["Evaluation:BatchSize"] = "4",
            ["Evaluation:ReadParallelism"] = "2",
            ["Evaluation:InitialBackoffSeconds"] = "0.05",
            ["Demo:EvaluationSetName"] = SetName,
            ["Demo:EvaluationSetPath"] = setFile,
            ["Demo:TeamName"] = "알파",
            ["Demo:TeamToken"] = TeamToken,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in database.Settings) settings[key] = value!;
        foreach (var (key, value) in extra) settings[key] = value;
        return ServiceProcess.StartAsync("Leaderboard.Web", settings, Timeout);
    }

    [Fact]
    public async Task TwentyConcurrentSubmissions_OverTwoInstances_AcceptExactlyTheDailyLimit_OnSqlite()
    {
        using var database = TestDatabase.Sqlite();
        await DailyLimitHoldsAcrossInstancesAsync(database);
    }

    [PostgresFact]
    public async Task TwentyConcurrentSubmissions_OverTwoInstances_AcceptExactlyTheDailyLimit_OnPostgres()
    {
        await using var postgres = await PostgresServer.StartAsync();
        using var database = TestDatabase.Postgres(postgres.ConnectionString("leaderboard"));
        await DailyLimitHoldsAcrossInstancesAsync(database);
    }

    /// <summary>
    /// 20 submissions of one team at once, half to each instance, with a limit of 5: exactly 5 are
    /// accepted and 15 refused with ResourceExhausted. The 5 accepted runs are then shared by the two
    /// workers, and every question is read exactly once (60 reads), so no run was run twice.
    /// </summary>
    static async Task DailyLimitHoldsAcrossInstancesAsync(TestDatabase database)
    {
        await using var pipeline = await FakePipeline.StartAsync();
        TestSets.Configure(pipeline);
        var folder = Directory.CreateTempSubdirectory("multi-instance-");
        try
        {
            var limit = new Dictionary<string, string> { ["Leaderboard:DailySubmissionLimit"] = "5", ["Evaluation:PollSeconds"] = "0.2" };
            await using var first = await StartProcessAsync(database, pipeline, TestSets.WriteKoreanJson(folder.FullName), limit);
            await using var second = await LeaderboardHost.StartAsync(database, pipeline.Address, limit.ToDictionary(p => p.Key, p => (string?)p.Value));
            using var channel = GrpcChannel.ForAddress(first.GrpcAddress);
            var clients = new[] { new Mrc.Contracts.V1.Leaderboard.LeaderboardClient(channel), second.Client(TeamToken) };

            var go = new TaskCompletionSource();
            var submissions = Enumerable.Range(0, 20).Select(async i =>
            {
                await go.Task;
                try
                {
                    var submitted = await clients[i % 2].SubmitAsync(Run(), i % 2 == 0 ? Auth : null);
                    return (Status: StatusCode.OK, Id: submitted.Id, Detail: "");
                }
                catch (RpcException e)
                {
                    return (Status: e.StatusCode, Id: 0L, Detail: e.Status.Detail);
                }
            }).ToList();
            go.SetResult();
            var results = await Task.WhenAll(submissions);

            Assert.Equal(5, results.Count(r => r.Status == StatusCode.OK));
            Assert.Equal(15, results.Count(r => r.Status == StatusCode.ResourceExhausted));
            Assert.All(results.Where(r => r.Status == StatusCode.ResourceExhausted),
                r => Assert.Contains("has used its 5 submissions for today", r.Detail, StringComparison.Ordinal));

            var accepted = results.Where(r => r.Status == StatusCode.OK).Select(r => r.Id).ToList();
            await WaitUntilAsync(second, async db => await db.Submissions.CountAsync(
                s => accepted.Contains(s.Id) && s.Status == SubmissionStatus.Succeeded) == accepted.Count, "the accepted runs succeeded");
            await using var db = await second.Get<IDbContextFactory<LeaderboardDbContext>>().CreateDbContextAsync();
            Assert.Equal(5, await db.Submissions.CountAsync());
            Assert.Equal(5 * 12, await db.Predictions.CountAsync());
            Assert.Equal(5 * 12, pipeline.ReadQuestions.Count);
            Assert.False(first.HasExited, "the leaderboard process exited on its own");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>
    /// A run claimed by an instance that is then killed (SIGKILL: no shutdown code) is taken over by the
    /// other instance once the lease expires, not before, and resumed from the stored questions: the run
    /// succeeds, each question is stored once, and each was read once in all.
    /// </summary>
    [PostgresFact]
    public async Task RunOfAKilledInstance_IsTakenOverAfterItsLeaseExpires_AndEachQuestionIsStoredOnce()
    {
        await using var postgres = await PostgresServer.StartAsync();
        using var database = TestDatabase.Postgres(postgres.ConnectionString("leaderboard"));
        await using var pipeline = await FakePipeline.StartAsync();
        TestSets.Configure(pipeline);
        // The first instance reads 4 questions, then waits forever on the fifth and sixth.
        pipeline.ReadGate = new SemaphoreSlim(4);
        var folder = Directory.CreateTempSubdirectory("multi-instance-");
        try
        {
            var lease = new Dictionary<string, string> { ["Evaluation:LeaseSeconds"] = "3", ["Evaluation:PollSeconds"] = "0.2" };
            var first = await StartProcessAsync(database, pipeline, TestSets.WriteKoreanJson(folder.FullName), lease);
            long id;
            DateTime leaseExpiry;
            await using (first)
            {
                using var channel = GrpcChannel.ForAddress(first.GrpcAddress);
                var client = new Mrc.Contracts.V1.Leaderboard.LeaderboardClient(channel);
                id = (await client.SubmitAsync(Run(), Auth)).Id;
                var deadline = DateTime.UtcNow + Timeout;
                while ((await client.GetSubmissionAsync(new GetSubmissionRequest { SubmissionId = id }, Auth)).Completed < 4)
                {
                    if (DateTime.UtcNow > deadline) throw new TimeoutException("The first instance did not store 4 predictions.");
                    await Task.Delay(50);
                }
                // Let it renew its lease at least once, so that the expiry read below is one it set while running.
                await Task.Delay(TimeSpan.FromSeconds(1.5));
                await first.KillAsync();
            }
            pipeline.ReadGate = null;

            await using var second = await LeaderboardHost.StartAsync(database, pipeline.Address, lease.ToDictionary(p => p.Key, p => (string?)p.Value));
            await using (var db = await second.Get<IDbContextFactory<LeaderboardDbContext>>().CreateDbContextAsync())
            {
                var killed = await db.Submissions.AsNoTracking().SingleAsync(s => s.Id == id);
                Assert.NotNull(killed.LeaseOwner);
                leaseExpiry = killed.LeaseExpiresAt!.Value;
            }

            await WaitUntilAsync(second, async db => await db.Submissions.AnyAsync(s => s.Id == id && s.Status == SubmissionStatus.Succeeded),
                "the second instance finished the run");
            await using var check = await second.Get<IDbContextFactory<LeaderboardDbContext>>().CreateDbContextAsync();
            var done = await check.Submissions.AsNoTracking().SingleAsync(s => s.Id == id);
            var predictions = await check.Predictions.AsNoTracking().Where(p => p.SubmissionId == id).OrderBy(p => p.Id).ToListAsync();
            Assert.Equal(12, done.Completed);
            Assert.Null(done.LeaseOwner);
            Assert.Equal(12, predictions.Count);
            Assert.Equal(12, predictions.Select(p => p.QuestionRowId).Distinct().Count());
            // The first 4 came from the killed instance; the other 8 only after its lease had expired.
            Assert.All(predictions.Skip(4), p => Assert.True(p.CreatedAt >= leaseExpiry, $"stored at {p.CreatedAt:O}, before the lease expired at {leaseExpiry:O}"));
            Assert.Equal(12, pipeline.ReadQuestions.Count);
            Assert.Equal(12, pipeline.ReadQuestions.Distinct().Count());
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    static async Task WaitUntilAsync(LeaderboardHost host, Func<LeaderboardDbContext, Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            await using (var db = await host.Get<IDbContextFactory<LeaderboardDbContext>>().CreateDbContextAsync())
                if (await condition(db)) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out waiting until {what}.");
            await Task.Delay(100);
        }
    }
}
