using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.EntityFrameworkCore;
using Mrc.Contracts.V1;
using Mrc.Leaderboard.Data;
using Mrc.Leaderboard.Domain;
using Mrc.Leaderboard.Tests.Support;

namespace Mrc.Leaderboard.Tests;

/// <summary>
/// The retriever index an evaluation set is read against: checked with the retriever's ListIndexes
/// when a set is registered or changed (admin API over gRPC and JSON), sent on every retrieval of its
/// model runs, and a run whose index has gone fails with the index's name.
/// The retriever here serves "default" and "wiki".
/// </summary>
public sealed class RetrieverIndexTests : IAsyncLifetime
{
    TestDatabase database = default!;
    FakePipeline pipeline = default!;
    LeaderboardHost host = default!;
    readonly List<GrpcChannel> channels = [];

    public async Task InitializeAsync()
    {
        database = TestDatabase.Sqlite();
        pipeline = await FakePipeline.StartAsync();
        pipeline.Indexes.Add("wiki");
        TestSets.Configure(pipeline);
        host = await LeaderboardHost.StartAsync(database, pipeline.Address);
    }

    public async Task DisposeAsync()
    {
        foreach (var channel in channels) channel.Dispose();
        await host.DisposeAsync();
        await pipeline.DisposeAsync();
        database.Dispose();
    }

    [Fact]
    public async Task CreateEvaluationSet_WithAnIndexTheRetrieverLacks_IsFailedPrecondition_ListingItsIndexes_AndStoresNothing()
    {
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await Admin(host).CreateEvaluationSetAsync(NewSet("korean-dev", "nope")));

        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Equal("The retriever has no index named \"nope\". It serves: default, wiki.", refused.Status.Detail);
        Assert.Empty(await SetNamesAsync());
    }

    [Fact]
    public async Task CreateEvaluationSet_OverJson_WithAnIndexTheRetrieverLacks_Is400WithTheMessage()
    {
        using var http = new HttpClient { BaseAddress = host.HttpAddress, DefaultRequestVersion = HttpVersion.Version11 };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/admin/evaluation-sets");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", LeaderboardHost.AdminSecret);
        string body = JsonSerializer.Serialize(new
        {
            name = "korean-dev", fileName = "korean-dev.json", content = Convert.ToBase64String(TestSets.KoreanJson()), retrieverIndex = "news",
        });
        request.Content = new StringContent(body, Encoding.UTF8, "application/json");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal((int)StatusCode.FailedPrecondition, error.RootElement.GetProperty("code").GetInt32());
        Assert.Equal("The retriever has no index named \"news\". It serves: default, wiki.", error.RootElement.GetProperty("message").GetString());
        Assert.Empty(await SetNamesAsync());
    }

    [Fact]
    public async Task ASetNamingAnIndex_IsListedWithIt_AndItsModelRunsSearchThatIndex_WhileOtherSetsSearchTheDefault()
    {
        var admin = Admin(host);
        var wiki = await admin.CreateEvaluationSetAsync(NewSet("korean-wiki", " wiki "));
        await admin.CreateEvaluationSetAsync(NewSet("korean-dev", ""));
        Assert.Equal("wiki", wiki.RetrieverIndex);
        var (_, token) = await host.Get<TeamService>().CreateAsync("알파");
        var team = host.Client(token);
        var listed = await team.ListEvaluationSetsAsync(new ListEvaluationSetsRequest());
        Assert.Equal([("korean-dev", ""), ("korean-wiki", "wiki")], listed.EvaluationSets.Select(s => (s.Name, s.RetrieverIndex)).Order());

        var onWiki = await RunToEndAsync(team, "korean-wiki");
        Assert.Equal(SubmissionState.Succeeded, onWiki.State);
        // 12 questions in batches of 4 (Evaluation:BatchSize): three RetrieveBatch calls, each naming the index.
        Assert.Equal(["wiki", "wiki", "wiki"], pipeline.SearchedIndexes.ToArray());

        pipeline.SearchedIndexes.Clear();
        var onDefault = await RunToEndAsync(team, "korean-dev");
        Assert.Equal(SubmissionState.Succeeded, onDefault.State);
        Assert.Equal(["", "", ""], pipeline.SearchedIndexes.ToArray());

        // A predictions file is scored without the retriever.
        pipeline.SearchedIndexes.Clear();
        var file = new SubmitRequest
        {
            EvaluationSet = "korean-wiki",
            Predictions = new PredictionsFile { Json = ByteString.CopyFrom(TestSets.PredictionsJson(TestSets.ExpectedPredictions())), ModelLabel = "predictions" },
        };
        Assert.Equal(SubmissionState.Succeeded, (await team.SubmitAsync(file)).State);
        Assert.Empty(pipeline.SearchedIndexes);
    }

    [Fact]
    public async Task UpdateEvaluationSet_ChecksAChangedIndex_KeepsItWhenUnset_AndEmptyGoesBackToTheDefault()
    {
        var admin = Admin(host);
        await admin.CreateEvaluationSetAsync(NewSet("korean-dev", ""));

        var refused = await Assert.ThrowsAsync<RpcException>(async () =>
            await admin.UpdateEvaluationSetAsync(new UpdateEvaluationSetRequest { Name = "korean-dev", RetrieverIndex = "news", FinalSubmissionLimit = 5 }));
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Equal("The retriever has no index named \"news\". It serves: default, wiki.", refused.Status.Detail);
        var unchanged = await host.Get<EvaluationSetService>().GetAsync("korean-dev");
        Assert.Equal((null, 2), (unchanged.RetrieverIndex, unchanged.FinalSubmissionLimit));

        Assert.Equal("wiki", (await admin.UpdateEvaluationSetAsync(new UpdateEvaluationSetRequest { Name = "korean-dev", RetrieverIndex = "wiki" })).RetrieverIndex);
        Assert.Equal("wiki", (await admin.UpdateEvaluationSetAsync(new UpdateEvaluationSetRequest { Name = "korean-dev", FinalSubmissionLimit = 3 })).RetrieverIndex);

        // The retriever no longer serves it; a schedule change does not ask about an unchanged index.
        pipeline.Indexes.Remove("wiki");
        Assert.Equal(4, (await admin.UpdateEvaluationSetAsync(new UpdateEvaluationSetRequest { Name = "korean-dev", FinalSubmissionLimit = 4 })).FinalSubmissionLimit);
        Assert.Equal("", (await admin.UpdateEvaluationSetAsync(new UpdateEvaluationSetRequest { Name = "korean-dev", RetrieverIndex = "" })).RetrieverIndex);
        Assert.Null((await host.Get<EvaluationSetService>().GetAsync("korean-dev")).RetrieverIndex);
    }

    [Fact]
    public async Task OnceASetHasAModelRun_ItsIndexIsFixed_WhileItsScheduleCanStillChange()
    {
        var admin = Admin(host);
        await admin.CreateEvaluationSetAsync(NewSet("korean-wiki", "wiki"));
        var (_, token) = await host.Get<TeamService>().CreateAsync("알파");
        Assert.Equal(SubmissionState.Succeeded, (await RunToEndAsync(host.Client(token), "korean-wiki")).State);

        var refused = await Assert.ThrowsAsync<RpcException>(async () =>
            await admin.UpdateEvaluationSetAsync(new UpdateEvaluationSetRequest { Name = "korean-wiki", RetrieverIndex = "", FinalSubmissionLimit = 3 }));
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Equal(
            "Evaluation set \"korean-wiki\" already has 1 model run(s) read against index \"wiki\"; its index cannot change, " +
            "so that all its runs stay comparable. Register a new set for another index.", refused.Status.Detail);
        long setId = (await host.Get<EvaluationSetService>().GetAsync("korean-wiki")).Id;
        var korean = await Assert.ThrowsAsync<LeaderboardException>(() => host.Get<EvaluationSetService>()
            .UpdateAsync(setId, new SetSchedule(null, null, 2), "default-news"));
        Assert.Equal(
            "평가 세트 \"korean-wiki\"에는 이미 \"wiki\" 색인으로 읽은 모델 실행이 1개 있어 색인을 바꿀 수 없습니다. 다른 색인을 쓰려면 새 평가 세트를 등록하세요.",
            korean.Korean);

        // Nothing changed, and the same index or a schedule change alone is still accepted.
        var kept = await admin.UpdateEvaluationSetAsync(new UpdateEvaluationSetRequest { Name = "korean-wiki", RetrieverIndex = "wiki", FinalSubmissionLimit = 3 });
        Assert.Equal(("wiki", 3), (kept.RetrieverIndex, kept.FinalSubmissionLimit));
    }

    [Fact]
    public async Task TheBrowsersRefusal_IsKorean_AndNamesTheIndexAndTheOnesServed()
    {
        var refused = await Assert.ThrowsAsync<LeaderboardException>(() => host.Get<EvaluationSetService>()
            .RegisterAsync("korean-dev", "korean-dev.json", new MemoryStream(TestSets.KoreanJson()), retrieverIndex: "nope"));

        Assert.Equal(LeaderboardError.FailedPrecondition, refused.Error);
        Assert.Equal("검색기에 \"nope\" 색인이 없습니다. 검색기가 가진 색인: default, wiki.", refused.Korean);
    }

    [Fact]
    public async Task ARetrieverThatCannotBeReached_IsUnavailable_AndNothingIsStored()
    {
        using var other = TestDatabase.Sqlite();
        // A port nobody listens on: every attempt is refused (Evaluation:MaxAttempts is 3 here).
        await using var away = await LeaderboardHost.StartAsync(other, pipeline.Address, new Dictionary<string, string?>
        {
            ["Evaluation:RetrieverAddress"] = $"http://127.0.0.1:{ClosedPort()}",
        });

        var refused = await Assert.ThrowsAsync<RpcException>(async () => await Admin(away).CreateEvaluationSetAsync(NewSet("korean-wiki", "wiki")));
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.StartsWith("The retriever could not be reached to check index \"wiki\", so nothing was saved: Retriever.ListIndexes failed after 3 attempts: Unavailable",
            refused.Status.Detail, StringComparison.Ordinal);
        var korean = await Assert.ThrowsAsync<LeaderboardException>(() => away.Get<EvaluationSetService>()
            .RegisterAsync("korean-wiki", "korean-dev.json", new MemoryStream(TestSets.KoreanJson()), retrieverIndex: "wiki"));
        Assert.StartsWith("검색기에 연결할 수 없어 색인 \"wiki\"을(를) 확인하지 못했습니다. 저장하지 않았습니다.", korean.Korean, StringComparison.Ordinal);

        // A set on the default index needs no answer from the retriever to be registered.
        await Admin(away).CreateEvaluationSetAsync(NewSet("korean-dev", ""));
        await using var db = await away.Get<IDbContextFactory<LeaderboardDbContext>>().CreateDbContextAsync();
        Assert.Equal(["korean-dev"], await db.EvaluationSets.Select(s => s.Name).ToListAsync());
    }

    [Fact]
    public async Task AnIndexRemovedAfterRegistration_FailsTheRun_NamingTheIndex_AndStoresNoPrediction()
    {
        await Admin(host).CreateEvaluationSetAsync(NewSet("korean-wiki", "wiki"));
        pipeline.Indexes.Remove("wiki");
        var (_, token) = await host.Get<TeamService>().CreateAsync("알파");

        var run = await RunToEndAsync(host.Client(token), "korean-wiki");

        Assert.Equal(SubmissionState.Failed, run.State);
        Assert.Equal(
            "The retriever does not serve index \"wiki\", which this evaluation set is read against: " +
            "There is no index named 'wiki'. This service serves: default (an empty name is 'default').", run.Error);
        Assert.Equal(0, run.Completed);
        await using var db = await host.Get<IDbContextFactory<LeaderboardDbContext>>().CreateDbContextAsync();
        Assert.Equal(0, await db.Predictions.CountAsync());
    }

    static CreateEvaluationSetRequest NewSet(string name, string index) => new()
    {
        Name = name, FileName = "korean-dev.json", Content = ByteString.CopyFrom(TestSets.KoreanJson()), RetrieverIndex = index,
    };

    /// <summary>Submits a top-3 model run and follows it until it ends.</summary>
    static async Task<Submission> RunToEndAsync(Mrc.Contracts.V1.Leaderboard.LeaderboardClient team, string set)
    {
        var submitted = await team.SubmitAsync(new SubmitRequest
        {
            EvaluationSet = set, ModelRun = new ModelRun { Model = "klue-bert-base", Version = "v1", TopK = 3 },
        });
        using (var watch = team.WatchSubmission(new WatchSubmissionRequest { SubmissionId = submitted.Id }))
        {
            while (await watch.ResponseStream.MoveNext()) { }
        }
        return await team.GetSubmissionAsync(new GetSubmissionRequest { SubmissionId = submitted.Id });
    }

    async Task<List<string>> SetNamesAsync()
    {
        await using var db = await host.Get<IDbContextFactory<LeaderboardDbContext>>().CreateDbContextAsync();
        return await db.EvaluationSets.Select(s => s.Name).ToListAsync();
    }

    LeaderboardAdmin.LeaderboardAdminClient Admin(LeaderboardHost target)
    {
        var credentials = CallCredentials.FromInterceptor((_, metadata) =>
        {
            metadata.Add("authorization", $"Bearer {LeaderboardHost.AdminSecret}");
            return Task.CompletedTask;
        });
        var channel = GrpcChannel.ForAddress(target.GrpcAddress, new GrpcChannelOptions
        {
            Credentials = ChannelCredentials.Create(ChannelCredentials.Insecure, credentials),
            UnsafeUseInsecureChannelCallCredentials = true,
        });
        channels.Add(channel);
        return new LeaderboardAdmin.LeaderboardAdminClient(channel);
    }

    static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
