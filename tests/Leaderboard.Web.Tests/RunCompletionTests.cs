using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Mrc.Contracts.V1;
using Mrc.Leaderboard.Data;
using Mrc.Leaderboard.Domain;
using Mrc.Leaderboard.Tests.Support;
using Mrc.Tests;

namespace Mrc.Leaderboard.Tests;

/// <summary>
/// A model run finishes whatever its questions are: a question that cannot be searched or read gets an
/// empty prediction with its reason, and transient trouble (a full reader queue, a database locked by
/// another process) is waited out.
/// </summary>
public sealed class RunCompletionTests : IAsyncLifetime
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    const string Context = "대한민국의 수도는 서울이다. 서울에는 한강이 흐른다.";
    TestDatabase database = default!;
    FakePipeline pipeline = default!;

    public async Task InitializeAsync()
    {
        database = TestDatabase.Sqlite();
        pipeline = await FakePipeline.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await pipeline.DisposeAsync();
        database.Dispose();
    }

    static byte[] Jsonl(params (string Id, string Question, string Answer)[] questions) => Encoding.UTF8.GetBytes(string.Join('\n',
        questions.Select(q => JsonSerializer.Serialize(new { id = q.Id, question = q.Question, answers = new[] { q.Answer } }))));

    async Task<(LeaderboardHost Host, Mrc.Contracts.V1.Leaderboard.LeaderboardClient Client)> StartAsync(byte[] set, IDictionary<string, string?>? overrides = null)
    {
        var host = await LeaderboardHost.StartAsync(database, pipeline.Address, overrides);
        await host.Get<EvaluationSetService>().RegisterAsync("odd", "odd.jsonl", new MemoryStream(set));
        var (_, token) = await host.Get<TeamService>().CreateAsync("알파");
        return (host, host.Client(token));
    }

    static SubmitRequest ModelRun() => new()
    {
        EvaluationSet = "odd",
        ModelRun = new ModelRun { Model = "klue-bert-base", Version = "v1", TopK = 3 },
    };

    static async Task<Submission> FinishedAsync(Mrc.Contracts.V1.Leaderboard.LeaderboardClient client, long id)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var submission = await client.GetSubmissionAsync(new GetSubmissionRequest { SubmissionId = id });
            if (submission.State is not (SubmissionState.Queued or SubmissionState.Running)) return submission;
            if (clock.Elapsed > Timeout) throw new TimeoutException($"submission {id} still {submission.State} after {Timeout}");
            await Task.Delay(100);
        }
    }

    static async Task<List<Prediction>> PredictionsAsync(LeaderboardHost host, long id)
    {
        await using var db = await host.Get<IDbContextFactory<LeaderboardDbContext>>().CreateDbContextAsync();
        return await db.Predictions.Include(p => p.Question).Where(p => p.SubmissionId == id).ToListAsync();
    }

    [Fact]
    public async Task QuestionsThatCannotBeSearchedOrRead_GetEmptyPredictionsWithTheReason_AndTheRunSucceeds()
    {
        pipeline.Retrieve = (query, _) => query.StartsWith("대한민국", StringComparison.Ordinal)
            ? [new Passage { Id = "p1", Text = Context, Score = 3 }]
            : [];
        pipeline.Answer = _ => "서울";
        var (host, client) = await StartAsync(Jsonl(
            ("ok", "대한민국의 수도는?", "서울"),
            ("symbols", "???", "서울"),
            ("no-hit", "아무 문단에도 없는 질문", "없음"),
            ("too-long", new string('가', 1500), "가")));
        await using var _ = host;

        var submitted = await client.SubmitAsync(ModelRun());
        var finished = await FinishedAsync(client, submitted.Id);

        Assert.True(finished.State == SubmissionState.Succeeded, finished.Error);
        var byId = (await PredictionsAsync(host, submitted.Id)).ToDictionary(p => p.Question!.QuestionId);
        Assert.Equal(["no-hit", "ok", "symbols", "too-long"], byId.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("서울", byId["ok"].Answer);
        Assert.Null(byId["ok"].Problem);
        Assert.Equal(100, byId["ok"].ExactMatch);
        Assert.Contains("no searchable words", byId["symbols"].Problem, StringComparison.Ordinal);
        Assert.Contains("no passage", byId["no-hit"].Problem, StringComparison.Ordinal);
        Assert.Contains("1,500 characters", byId["too-long"].Problem, StringComparison.Ordinal);
        Assert.All(byId.Values.Where(p => p.Problem is not null), p => Assert.Equal(("", 0.0), (p.Answer, p.ExactMatch)));

        var rows = await client.ListPredictionsAsync(new ListPredictionsRequest { SubmissionId = submitted.Id, PageSize = 10 });
        Assert.Equal(byId.Values.Where(p => !p.Question!.IsPrivate).Count(p => p.Problem is not null), rows.Rows.Count(r => r.Problem.Length > 0));
    }

    [Fact]
    public async Task AFullReaderQueue_IsWaitedOut()
    {
        pipeline.Retrieve = (_, _) => [new Passage { Id = "p1", Text = Context, Score = 3 }];
        pipeline.Answer = _ => "서울";
        pipeline.ReaderBusyForReads = 3;
        var (host, client) = await StartAsync(Jsonl(("a", "대한민국의 수도는?", "서울"), ("b", "한강은 어디를 흐르나?", "서울")));
        await using var _ = host;

        var submitted = await client.SubmitAsync(ModelRun());
        var finished = await FinishedAsync(client, submitted.Id);

        Assert.True(finished.State == SubmissionState.Succeeded, finished.Error);
        Assert.All(await PredictionsAsync(host, submitted.Id), p => Assert.Equal(("서울", null), (p.Answer, p.Problem)));
    }

    /// <summary>
    /// Another process (Python's sqlite3) holds the database's write lock for 8 s in the middle of a
    /// run; with a 1 s busy timeout every write of the job meets "database is locked" several times.
    /// </summary>
    [Fact]
    public async Task ADatabaseLockedByAnotherProcess_IsWaitedOut_AndEveryQuestionIsStoredOnce()
    {
        var dbPath = database.Settings["ConnectionStrings:Leaderboard"]!["Data Source=".Length..];
        pipeline.Retrieve = (_, _) => [new Passage { Id = "p1", Text = Context, Score = 3 }];
        pipeline.Answer = _ => "서울";
        pipeline.ReadGate = new SemaphoreSlim(0);
        var questions = Enumerable.Range(1, 12).Select(i => ($"q{i:00}", $"{i}번째: 대한민국의 수도는?", "서울")).ToArray();
        var (host, client) = await StartAsync(Jsonl(questions), new Dictionary<string, string?>
        {
            ["ConnectionStrings:Leaderboard"] = $"Data Source={dbPath};Default Timeout=1",
        });
        await using var _ = host;
        var submitted = await client.SubmitAsync(ModelRun());

        var python = ExternalProgram.Find("python3", "/usr/bin/python3");
        var holder = Process.Start(new ProcessStartInfo(python)
        {
            ArgumentList =
            {
                "-c",
                "import sqlite3, sys, time\n" +
                "c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)\n" +
                "c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True)\n" +
                "time.sleep(8); c.execute('COMMIT'); print('released', flush=True)",
                dbPath,
            },
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        using (holder)
        {
            Assert.Equal("locked", await holder.StandardOutput.ReadLineAsync());
            pipeline.ReadGate.Release(1000);
            var finished = await FinishedAsync(client, submitted.Id);
            await holder.WaitForExitAsync();

            Assert.True(finished.State == SubmissionState.Succeeded, finished.Error);
            Assert.Equal(0, holder.ExitCode);
        }
        var predictions = await PredictionsAsync(host, submitted.Id);
        Assert.Equal(questions.Select(q => q.Item1).Order(StringComparer.Ordinal), predictions.Select(p => p.Question!.QuestionId).Order(StringComparer.Ordinal));
    }
}
