using Mrc.Core.Pipeline;
using Grpc.Core;
using Mrc.Leaderboard.Data;
using Mrc.Leaderboard.Domain;
using Mrc.Leaderboard.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Mrc.Contracts.V1;
using Mrc.Core.Metrics;

namespace Mrc.Leaderboard.Tests;

/// <summary>The evaluation worker against real gRPC Retriever/Reader test servers.</summary>
public sealed class WorkerTests : IAsyncLifetime
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    TestDatabase database = default!;
    FakePipeline pipeline = default!;

    public async Task InitializeAsync()
    {
        database = TestDatabase.Sqlite();
        pipeline = await FakePipeline.StartAsync();
        TestSets.Configure(pipeline);
    }

    public async Task DisposeAsync()
    {
        await pipeline.DisposeAsync();
        database.Dispose();
    }

    static SubmitRequest Run(int topK = 1) => new()
    {
        EvaluationSet = "korean-dev",
        Description = "베이스라인",
        ModelRun = new ModelRun { Model = "klue-bert-base", Version = "v1", TopK = topK, ReadMode = ReadMode.Separate },
    };

    static async Task<(LeaderboardHost Host, string Token)> StartWithSetAsync(TestDatabase database, FakePipeline pipeline)
    {
        var host = await LeaderboardHost.StartAsync(database, pipeline.Address);
        await host.Get<EvaluationSetService>().RegisterAsync("korean-dev", "korean-dev.json", new MemoryStream(TestSets.KoreanJson()));
        var (_, token) = await host.Get<TeamService>().CreateAsync("알파");
        return (host, token);
    }

    static async Task<List<Prediction>> PredictionsAsync(LeaderboardHost host, long submissionId)
    {
        await using var db = await host.Get<IDbContextFactory<LeaderboardDbContext>>().CreateDbContextAsync();
        return await db.Predictions.Include(p => p.Question).Where(p => p.SubmissionId == submissionId).ToListAsync();
    }

    static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        while (!await condition())
        {
            if (timeout.IsCancellationRequested) throw new TimeoutException($"Timed out waiting until {what}.");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task ModelRun_StoresEveryPredictionWithNBestAndRetrievalHit_AndScoresLikeKorQuadMetrics()
    {
        var (host, token) = await StartWithSetAsync(database, pipeline);
        await using var _ = host;
        var client = host.Client(token);
        var submitted = await client.SubmitAsync(Run());

        var progress = new List<SubmissionProgress>();
        using (var watch = client.WatchSubmission(new WatchSubmissionRequest { SubmissionId = submitted.Id }, deadline: DateTime.UtcNow.Add(Timeout)))
            await foreach (var message in watch.ResponseStream.ReadAllAsync()) progress.Add(message);

        Assert.Equal(SubmissionState.Succeeded, progress[^1].State);
        Assert.Equal(12, progress[^1].Completed);
        Assert.Equal(progress.Select(p => p.Completed).Order(), progress.Select(p => p.Completed));

        var predictions = await PredictionsAsync(host, submitted.Id);
        Assert.Equal(12, predictions.Count);
        Assert.All(predictions, p => Assert.Contains("\"probability\"", p.NBestJson, StringComparison.Ordinal));
        Assert.All(predictions, p => Assert.Equal(RetrievalRule.GoldContext, p.RetrievalRule));
        Assert.Equal(9, predictions.Count(p => p.RetrievalHit == true)); // kq-10..kq-12 get an unrelated passage

        var final = await host.Get<SubmissionService>().GetAsync(Caller.Admin, submitted.Id);
        var expected = KorQuadMetrics.Evaluate(
            TestSets.Korean.Examples().Select(e => (e.Id, (IReadOnlyList<string>)e.Answers.Select(a => a.Text).ToList())),
            TestSets.ExpectedPredictions());
        Assert.Equal(expected.ExactMatch, final.All!.ExactMatch, 9);
        Assert.Equal(expected.F1, final.All.F1, 9);
        Assert.Equal(0.75, final.RetrievalRecall!.Value, 9);

        // Reader misses have the gold passage; retrieval misses do not.
        var page = await host.Get<SubmissionService>().ListPredictionsAsync(Caller.Admin, submitted.Id, 0, 100, PredictionFilter.RetrievalMiss);
        Assert.Equal(["kq-10", "kq-12"], page.Rows.Select(r => r.QuestionId));
        Assert.All(page.Rows, r => Assert.Equal("retrieval miss", r.MissKind));
        var readerMisses = await host.Get<SubmissionService>().ListPredictionsAsync(Caller.Admin, submitted.Id, 0, 100, PredictionFilter.ReaderMiss);
        Assert.Equal(["kq-02", "kq-04", "kq-06", "kq-08"], readerMisses.Rows.Select(r => r.QuestionId));
    }

    [Fact]
    public async Task Restart_MidRun_ResumesWithoutLosingOrDuplicatingPredictions()
    {
        pipeline.ReadGate = new SemaphoreSlim(5);
        var (first, token) = await StartWithSetAsync(database, pipeline);
        var submitted = await first.Client(token).SubmitAsync(Run());
        await WaitUntilAsync(async () => (await PredictionsAsync(first, submitted.Id)).Count == 5, "5 predictions are stored");
        var readBeforeCrash = pipeline.ReadQuestions.ToHashSet();

        // The "crash": the host stops while reads are blocked in flight.
        await first.DisposeAsync();
        await using (var db = await NewContextAsync())
        {
            var state = await db.Submissions.SingleAsync(s => s.Id == submitted.Id);
            Assert.Equal(SubmissionStatus.Running, state.Status);
            Assert.Equal(5, await db.Predictions.CountAsync(p => p.SubmissionId == submitted.Id));
        }

        pipeline.ReadGate = null;
        int readsBefore = pipeline.ReadQuestions.Count;
        await using var second = await LeaderboardHost.StartAsync(database, pipeline.Address);
        await WaitUntilAsync(async () =>
            (await second.Get<SubmissionService>().GetAsync(Caller.Admin, submitted.Id)).Status == SubmissionStatus.Succeeded, "the resumed run succeeds");

        var predictions = await PredictionsAsync(second, submitted.Id);
        Assert.Equal(12, predictions.Count);
        Assert.Equal(12, predictions.Select(p => p.Question!.QuestionId).Distinct().Count());
        var readAfterRestart = pipeline.ReadQuestions.Skip(readsBefore).ToList();
        Assert.Equal(7, readAfterRestart.Count);
        Assert.Empty(readAfterRestart.Intersect(readBeforeCrash));
        var final = await second.Get<SubmissionService>().GetAsync(Caller.Admin, submitted.Id);
        Assert.Equal(12, final.Completed);
        Assert.NotNull(final.Public);
    }

    [Fact]
    public async Task ServiceThatStaysDown_FailsTheJobWithTheReason_KeepsPredictions_AndDoesNotCountAgainstTheLimit()
    {
        pipeline.RetrieverUpForBatches = 1; // the first batch of 4 works, then Unavailable for good
        var (host, token) = await StartWithSetAsync(database, pipeline);
        await using var _ = host;
        var submitted = await host.Client(token).SubmitAsync(Run());
        await WaitUntilAsync(async () =>
            (await host.Get<SubmissionService>().GetAsync(Caller.Admin, submitted.Id)).IsFinal, "the run ends");

        var failed = await host.Client(token).GetSubmissionAsync(new GetSubmissionRequest { SubmissionId = submitted.Id });
        Assert.Equal(SubmissionState.Failed, failed.State);
        Assert.Contains("Retriever.RetrieveBatch failed after 3 attempts", failed.Error, StringComparison.Ordinal);
        Assert.Contains("Unavailable", failed.Error, StringComparison.Ordinal);
        Assert.Equal(4, (await PredictionsAsync(host, submitted.Id)).Count);
        Assert.Equal(1 + 3, pipeline.RetrieveBatchCalls);

        // The failed run leaves the whole daily allowance: as many new submissions as the limit allows.
        var client = host.Client(token);
        for (int i = 0; i < 50; i++)
            await client.SubmitAsync(new SubmitRequest
            {
                EvaluationSet = "korean-dev",
                Predictions = new PredictionsFile { Json = Google.Protobuf.ByteString.CopyFrom(TestSets.PredictionsJson(TestSets.ExpectedPredictions())) },
            });
        var over = await Assert.ThrowsAsync<RpcException>(() => client.SubmitAsync(Run()).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, over.StatusCode);
    }

    [Fact]
    public async Task ReaderThatStaysDown_FailsTheJobWithTheReason_AndKeepsPredictions()
    {
        pipeline.ReaderUpForReads = 6;
        var (host, token) = await StartWithSetAsync(database, pipeline);
        await using var _ = host;
        var submitted = await host.Client(token).SubmitAsync(Run());
        await WaitUntilAsync(async () =>
            (await host.Get<SubmissionService>().GetAsync(Caller.Admin, submitted.Id)).IsFinal, "the run ends");

        var failed = await host.Client(token).GetSubmissionAsync(new GetSubmissionRequest { SubmissionId = submitted.Id });
        Assert.Equal(SubmissionState.Failed, failed.State);
        Assert.StartsWith("Reader.Read failed after 3 attempts: Unavailable: model is reloading", failed.Error, StringComparison.Ordinal);
        Assert.Equal(6, (await PredictionsAsync(host, submitted.Id)).Count);
        Assert.Equal(6, failed.Completed);
    }

    [Fact]
    public async Task Cancel_WhileRunning_StopsTheJobAndKeepsPredictions()
    {
        pipeline.ReadGate = new SemaphoreSlim(3);
        var (host, token) = await StartWithSetAsync(database, pipeline);
        await using var _ = host;
        var client = host.Client(token);
        var submitted = await client.SubmitAsync(Run());
        await WaitUntilAsync(async () => (await PredictionsAsync(host, submitted.Id)).Count == 3, "3 predictions are stored");

        var cancelled = await client.CancelSubmissionAsync(new CancelSubmissionRequest { SubmissionId = submitted.Id });
        Assert.Equal(SubmissionState.Cancelled, cancelled.State);
        pipeline.ReadGate.Release(20);
        await Task.Delay(500);

        var after = await client.GetSubmissionAsync(new GetSubmissionRequest { SubmissionId = submitted.Id });
        Assert.Equal(SubmissionState.Cancelled, after.State);
        Assert.Equal(3, (await PredictionsAsync(host, submitted.Id)).Count);
    }

    async Task<LeaderboardDbContext> NewContextAsync()
    {
        var options = new DbContextOptionsBuilder<SqliteLeaderboardDbContext>()
            .UseSqlite(database.Settings["ConnectionStrings:Leaderboard"]).Options;
        var db = new SqliteLeaderboardDbContext(options);
        await db.Database.OpenConnectionAsync();
        return db;
    }
}
