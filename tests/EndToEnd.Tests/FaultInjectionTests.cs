using Grpc.Core;
using Grpc.Net.Client;
using System.Data.Common;
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Mrc.Contracts.V1;
using Mrc.Core.Data;
using Mrc.EndToEnd.Tests.Support;
using Mrc.Leaderboard.Tests.Support;
using Npgsql;
using Mrc.Retrieval.Indexing;
using Mrc.Tests;
using Xunit.Abstractions;

namespace Mrc.EndToEnd.Tests;

/// <summary>
/// Processes killed in the middle of a model run (SIGKILL: no shutdown code runs) and started again
/// on the same ports and database: the run completes, every question is predicted exactly once with
/// the answer and retrieval hit of an undisturbed run (so the same EM/F1 and recall), and the
/// leaderboard never exits on its own.
/// </summary>
public sealed class FaultInjectionTests(FaultInjectionTests.Services services, ITestOutputHelper output)
    : IClassFixture<FaultInjectionTests.Services>
{
    const string TeamToken = "fault-injection-team-token";

    /// <summary>
    /// A retriever over every part-a paragraph and a reader with a small untrained model, its dynamic
    /// batching off so that every Read's windows run alone and a read gives the same answer whatever
    /// runs beside it; the evaluation set is 150 part-a questions.
    /// </summary>
    public sealed class Services : IAsyncLifetime
    {
        readonly string folder = Directory.CreateTempSubdirectory("mrc-faults-").FullName;

        public ServiceProcess Retriever { get; private set; } = null!;
        public ServiceProcess Reader { get; private set; } = null!;
        public string Set => Path.Combine(folder, "set.json");
        public string Folder => folder;
        public int QuestionCount { get; private set; }
        /// <summary>Each question's answer and retrieval hit in the undisturbed run, by question id.</summary>
        public IReadOnlyDictionary<string, (string Answer, bool? Hit)>? Undisturbed { get; set; }

        public async Task InitializeAsync()
        {
            var partA = SquadJson.Load(TestData.KorQuadPartA);
            var articles = new List<Article>();
            foreach (var article in partA.Articles)
            {
                if (articles.Sum(a => a.Paragraphs.Sum(p => p.Questions.Count)) >= 150) break;
                articles.Add(article);
            }
            SquadJson.Save(partA with { Articles = articles }, Set);
            QuestionCount = SquadJson.Load(Set).QuestionCount;

            var index = Path.Combine(folder, "index");
            IndexBuilder.Build(CorpusIngest.Load(TestData.KorQuadPartA), index, new IndexBuildOptions());
            var models = Path.Combine(folder, "models");
            RunningServices.WriteTinyModel(Path.Combine(models, RunningServices.ModelName, "1"));
            var timeout = TimeSpan.FromMinutes(2);
            var retriever = ServiceProcess.StartAsync("RetrieverService", new Dictionary<string, string> { ["Retriever:IndexPath"] = index }, timeout);
            var reader = StartReaderAsync();
            Retriever = await retriever;
            Reader = await reader;
        }

        /// <summary>A reader over the fixture's model folder that logs each request (to count the reads it served).</summary>
        public Task<ServiceProcess> StartReaderAsync() => ServiceProcess.StartAsync("ReaderService", new Dictionary<string, string>
        {
            ["Reader:ModelRepository"] = Path.Combine(folder, "models"),
            ["Reader:Device"] = "cpu",
            ["Reader:Batching:Enabled"] = "false",
            ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information",
        }, TimeSpan.FromMinutes(2));

        /// <summary>Read calls a reader process has received, from its request log.</summary>
        public static int ReadsServed(ServiceProcess reader) => reader.Log.Split("/mrc.v1.Reader/Read ").Length - 1;

        public async Task DisposeAsync()
        {
            if (Retriever is not null) await Retriever.DisposeAsync();
            if (Reader is not null) await Reader.DisposeAsync();
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Where a run's leaderboard keeps its data: its settings, and a connection to count predictions.</summary>
    sealed record Store(IReadOnlyDictionary<string, string> Settings, Func<DbConnection> Connect);

    Store Sqlite(string name)
    {
        var path = Path.Combine(services.Folder, name + ".db");
        return new(new Dictionary<string, string> { ["ConnectionStrings:Leaderboard"] = $"Data Source={path}" },
            () => new SqliteConnection($"Data Source={path};Mode=ReadOnly"));
    }

    static Store Postgres(PostgresServer server, string name) => new(new Dictionary<string, string>
    {
        ["Database:Provider"] = "postgres",
        ["ConnectionStrings:LeaderboardPostgres"] = server.ConnectionString(name),
    }, () => new NpgsqlConnection(server.ConnectionString(name)));

    async Task<ServiceProcess> StartLeaderboardAsync(Store store, Action<Dictionary<string, string>>? adjust)
    {
        var settings = new Dictionary<string, string>(store.Settings)
        {
            ["Leaderboard:AdminSecret"] = "fault-injection-admin-secret",
            ["Evaluation:RetrieverAddress"] = services.Retriever.GrpcAddress.ToString(),
            ["Evaluation:ReaderAddress"] = services.Reader.GrpcAddress.ToString(),
            ["Evaluation:BatchSize"] = "4",
            ["Evaluation:ReadParallelism"] = "1",
            ["Evaluation:InitialBackoffSeconds"] = "0.2",
            ["Evaluation:MaxAttempts"] = "20",
            ["Demo:EvaluationSetName"] = "faults",
            ["Demo:EvaluationSetPath"] = services.Set,
            ["Demo:TeamName"] = "faults",
            ["Demo:TeamToken"] = TeamToken,
        };
        adjust?.Invoke(settings);
        return await ServiceProcess.StartAsync("Leaderboard.Web", settings, TimeSpan.FromMinutes(2));
    }

    static Mrc.Contracts.V1.Leaderboard.LeaderboardClient Client(ServiceProcess leaderboard, out GrpcChannel channel)
    {
        channel = GrpcChannel.ForAddress(leaderboard.GrpcAddress);
        return new Mrc.Contracts.V1.Leaderboard.LeaderboardClient(channel);
    }

    static readonly Metadata Auth = new() { { "authorization", $"Bearer {TeamToken}" } };

    /// <summary>Submits a run on a new database; once 10 questions are done, applies the fault (if any); waits for the end.</summary>
    async Task<(Submission Run, Store Store)> RunAsync(string name, Func<ServiceProcess, Task>? fault, Store? store = null,
        Action<Dictionary<string, string>>? adjustSettings = null)
    {
        store ??= Sqlite(name);
        var leaderboard = await StartLeaderboardAsync(store, adjustSettings);
        try
        {
            long id;
            var client = Client(leaderboard, out var channel);
            using (channel)
            {
                var submitted = await client.SubmitAsync(new SubmitRequest
                {
                    EvaluationSet = "faults",
                    ModelRun = new ModelRun { Model = RunningServices.ModelName, TopK = 3 },
                }, Auth);
                id = submitted.Id;
                if (fault is not null)
                {
                    var progress = await WaitAsync(client, submitted.Id, s => s.Completed >= 10 || s.State != SubmissionState.Running && s.State != SubmissionState.Queued);
                    Assert.True(progress.State == SubmissionState.Running && progress.Completed < progress.Total,
                        $"the fault must land in the middle of the run, not at {progress.State} {progress.Completed}/{progress.Total}");
                    output.WriteLine($"{name}: fault at {progress.Completed}/{progress.Total}");
                    await fault(leaderboard);
                }
            }
            client = Client(leaderboard, out var again);
            using (again)
            {
                var finished = await WaitAsync(client, id, s => s.State is not (SubmissionState.Running or SubmissionState.Queued));
                Assert.False(leaderboard.HasExited, "the leaderboard exited on its own");
                return (finished, store);
            }
        }
        finally
        {
            await leaderboard.DisposeAsync();
        }
    }

    static async Task<Submission> WaitAsync(Mrc.Contracts.V1.Leaderboard.LeaderboardClient client, long id, Func<Submission, bool> until)
    {
        var deadline = DateTime.UtcNow.AddMinutes(4);
        while (true)
        {
            Submission submission;
            try
            {
                submission = await client.GetSubmissionAsync(new GetSubmissionRequest { SubmissionId = id }, Auth);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
                continue;
            }
            if (until(submission)) return submission;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"submission {id}: {submission.State} {submission.Completed}/{submission.Total} {submission.Error}");
            await Task.Delay(50);
        }
    }

    async Task<IReadOnlyDictionary<string, (string Answer, bool? Hit)>> UndisturbedAsync()
    {
        if (services.Undisturbed is null)
        {
            var (run, store) = await RunAsync("undisturbed", null);
            Assert.True(run.State == SubmissionState.Succeeded, run.Error);
            services.Undisturbed = Predictions(store);
        }
        return services.Undisturbed;
    }

    /// <summary>
    /// Each set gets its own secret public/private split, so runs on separate databases are compared
    /// question by question: the same answer and retrieval hit everywhere means the same EM/F1 and recall.
    /// </summary>
    void AssertSameOutcome(IReadOnlyDictionary<string, (string Answer, bool? Hit)> expected, (Submission Run, Store Store) disturbed)
    {
        var run = disturbed.Run;
        Assert.True(run.State == SubmissionState.Succeeded, run.Error);
        Assert.Equal(services.QuestionCount, run.Total);
        Assert.Equal(run.Total, run.Completed);
        var actual = Predictions(disturbed.Store);
        Assert.Equal(expected.Count, actual.Count);
        Assert.All(expected, pair => Assert.Equal(pair.Value, actual[pair.Key]));
        var gold = SquadJson.Load(services.Set).Examples().Select(e => (e.Id, (IReadOnlyList<string>)[.. e.Answers.Select(a => a.Text)])).ToList();
        var before = Mrc.Core.Metrics.KorQuadMetrics.Evaluate(gold, expected.ToDictionary(p => p.Key, p => p.Value.Answer));
        var after = Mrc.Core.Metrics.KorQuadMetrics.Evaluate(gold, actual.ToDictionary(p => p.Key, p => p.Value.Answer));
        Assert.Equal((before.ExactMatch, before.F1), (after.ExactMatch, after.F1));
    }

    /// <summary>Every stored prediction by question id; a question stored twice fails here.</summary>
    static Dictionary<string, (string Answer, bool? Hit)> Predictions(Store store)
    {
        using var connection = store.Connect();
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT q.\"QuestionId\", p.\"Answer\", p.\"RetrievalHit\" FROM \"Predictions\" p JOIN \"Questions\" q ON q.\"Id\" = p.\"QuestionRowId\"";
        using var reader = command.ExecuteReader();
        var result = new Dictionary<string, (string Answer, bool? Hit)>(StringComparer.Ordinal);
        while (reader.Read())
            result.Add(reader.GetString(0), (reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetBoolean(2)));
        return result;
    }

    [Fact]
    public async Task ReaderKilledMidRun_RunCompletesWithTheSameScores()
    {
        var expected = await UndisturbedAsync();
        var disturbed = await RunAsync("reader-killed", async _ =>
        {
            await services.Reader.KillAsync();
            await Task.Delay(2000);
            await services.Reader.RestartAsync(TimeSpan.FromMinutes(2));
        });
        AssertSameOutcome(expected, disturbed);
    }

    [Fact]
    public async Task RetrieverKilledMidRun_RunCompletesWithTheSameScores()
    {
        var expected = await UndisturbedAsync();
        var disturbed = await RunAsync("retriever-killed", async _ =>
        {
            await services.Retriever.KillAsync();
            await Task.Delay(2000);
            await services.Retriever.RestartAsync(TimeSpan.FromMinutes(2));
        });
        AssertSameOutcome(expected, disturbed);
    }

    [Fact]
    public async Task LeaderboardKilledMidRun_ResumesAfterRestartWithTheSameScores()
    {
        var expected = await UndisturbedAsync();
        var disturbed = await RunAsync("leaderboard-killed", async leaderboard =>
        {
            await leaderboard.KillAsync();
            await leaderboard.RestartAsync(TimeSpan.FromMinutes(2));
        });
        AssertSameOutcome(expected, disturbed);
    }

    /// <summary>Another process (Python's sqlite3) holds the database's write lock for 75 s in the middle of the run.</summary>
    [Fact]
    public async Task SqliteWriteLockHeld75Seconds_RunCompletesWithTheSameScores()
    {
        var expected = await UndisturbedAsync();
        var store = Sqlite("sqlite-locked");
        var path = store.Settings["ConnectionStrings:Leaderboard"]["Data Source=".Length..];
        var disturbed = await RunAsync("sqlite-locked", async leaderboard =>
        {
            var holder = Process.Start(new ProcessStartInfo(ExternalProgram.Find("python3", "/usr/bin/python3"))
            {
                ArgumentList =
                {
                    "-c",
                    "import sqlite3, sys, time\n" +
                    "c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=60)\n" +
                    "c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True)\n" +
                    "time.sleep(75); c.execute('COMMIT')",
                    path,
                },
                RedirectStandardOutput = true,
                UseShellExecute = false,
            })!;
            Assert.Equal("locked", await holder.StandardOutput.ReadLineAsync());
            _ = holder.WaitForExitAsync().ContinueWith(_ => holder.Dispose(), TaskScheduler.Default);
        }, store);
        AssertSameOutcome(expected, disturbed);
    }

    /// <summary>PostgreSQL stops at once (immediate shutdown) in the middle of the run and comes back 3 s later.</summary>
    [Fact]
    public async Task PostgresRestartedMidRun_RunCompletesWithTheSameScores()
    {
        var expected = await UndisturbedAsync();
        await using var postgres = await PostgresServer.StartAsync();
        var disturbed = await RunAsync("postgres-restarted", _ => postgres.RestartAsync(TimeSpan.FromSeconds(3)), Postgres(postgres, "faults"));
        AssertSameOutcome(expected, disturbed);
    }

    /// <summary>
    /// Two reader replicas behind one leaderboard (Evaluation:ReaderAddresses, client-side round-robin):
    /// both serve the run, and killing one of them for good in the middle loses nothing.
    /// </summary>
    [Fact]
    public async Task OneOfTwoReaderReplicasKilledMidRun_BothServed_RunCompletesWithTheSameScores()
    {
        var expected = await UndisturbedAsync();
        await using var second = await services.StartReaderAsync();
        int firstBefore = Services.ReadsServed(services.Reader);
        int secondAtKill = 0;
        var disturbed = await RunAsync("two-readers", async _ =>
        {
            secondAtKill = Services.ReadsServed(second);
            await second.KillAsync();
        }, adjustSettings: settings =>
        {
            settings["Evaluation:ReaderAddresses:0"] = services.Reader.GrpcAddress.ToString();
            settings["Evaluation:ReaderAddresses:1"] = second.GrpcAddress.ToString();
        });
        int firstServed = Services.ReadsServed(services.Reader) - firstBefore;
        output.WriteLine($"reads: first replica {firstServed}, second replica {secondAtKill} before it was killed");
        Assert.True(secondAtKill > 0, "the second replica served no read before it was killed");
        Assert.True(firstServed > 0, "the first replica served no read");
        AssertSameOutcome(expected, disturbed);
    }
}
