using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using Microsoft.Extensions.Options;
using Mrc.Contracts.V1;
using Mrc.Retrieval.Indexing;
using Mrc.Retriever.Tests.Support;

namespace Mrc.Retriever.Tests;

/// <summary>A running service over the first eight part-a articles, with small limits to test against.</summary>
public sealed class ServerFixture : IAsyncLifetime, IDisposable
{
    public const int MaxTopK = 50, MaxBatchSize = 8, MaxQueryChars = 500;
    readonly TempDirectory temp = new();

    public RetrieverServer Server { get; private set; } = null!;
    public IndexMetadata Metadata { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Metadata = PartA.BuildIndex(temp.Path, temp.Combine("index"), 0, 8).Metadata;
        Server = await RetrieverServer.StartAsync(temp.Combine("index"),
            $"Retriever:MaxTopK={MaxTopK}", $"Retriever:MaxBatchSize={MaxBatchSize}", $"Retriever:MaxQueryChars={MaxQueryChars}",
            "Retriever:K1=1.1", "Retriever:B=0.6");
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Dispose();
    }

    public void Dispose() => temp.Dispose();
}

public class GrpcServiceTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    Contracts.V1.Retriever.RetrieverClient Client => fixture.Server.Client;

    static string Question(int article, int paragraph = 0) => PartA.All.Articles[article].Paragraphs[paragraph].Questions[0].Question;

    static CallOptions Deadline => new(deadline: DateTime.UtcNow.AddSeconds(30));

    [Fact]
    public async Task Retrieve_WithPartAQuestion_ReturnsRankedPassagesFromTheCorpus()
    {
        var response = await Client.RetrieveAsync(new RetrieveRequest { Query = Question(2), TopK = 3 }, Deadline);

        Assert.Equal(3, response.Passages.Count);
        Assert.Equal([1, 2, 3], response.Passages.Select(p => p.Rank));
        var top = response.Passages[0];
        Assert.Equal("2-0", top.DocumentId);
        Assert.Equal(PartA.All.Articles[2].Title, top.Title);
        Assert.Equal(PartA.All.Articles[2].Paragraphs[0].Context, top.Text);
        Assert.Equal((0, top.Text.Length), (top.StartChar, top.EndChar));
        Assert.True(top.Score >= response.Passages[1].Score);
        Assert.True(response.TotalHits >= 3);
    }

    [Fact]
    public async Task Retrieve_WithTopKZero_ReturnsTheServerDefault()
    {
        var response = await Client.RetrieveAsync(new RetrieveRequest { Query = Question(1) }, Deadline);
        Assert.Equal(new RetrieverOptions().DefaultTopK, response.Passages.Count);
    }

    [Fact]
    public async Task Retrieve_WithScoringOverrides_ChangesScoresNotValidity()
    {
        var plain = await Client.RetrieveAsync(new RetrieveRequest { Query = Question(3), TopK = 1 }, Deadline);
        var tuned = await Client.RetrieveAsync(new RetrieveRequest { Query = Question(3), TopK = 1, Options = new RetrieveOptions { K1 = 2f, B = 0.3f } }, Deadline);
        var tfidf = await Client.RetrieveAsync(new RetrieveRequest { Query = Question(3), TopK = 1, Options = new RetrieveOptions { Similarity = Similarity.Tfidf } }, Deadline);

        Assert.NotEqual(plain.Passages[0].Score, tuned.Passages[0].Score);
        Assert.NotEqual(plain.Passages[0].Score, tfidf.Passages[0].Score);
    }

    [Fact]
    public async Task RetrieveBatch_ReturnsOneResultPerQueryInInputOrder()
    {
        var queries = Enumerable.Range(0, ServerFixture.MaxBatchSize).Select(i => Question(i)).ToList();
        var request = new RetrieveBatchRequest { TopK = 2 };
        request.Queries.Add(queries);

        var response = await Client.RetrieveBatchAsync(request, Deadline);

        Assert.Equal(queries.Count, response.Results.Count);
        for (int i = 0; i < queries.Count; i++)
        {
            var single = await Client.RetrieveAsync(new RetrieveRequest { Query = queries[i], TopK = 2 }, Deadline);
            Assert.Equal(single.Passages.Select(p => p.Id), response.Results[i].Passages.Select(p => p.Id));
        }
    }

    [Fact]
    public async Task GetIndexInfo_ReportsTheIndexAndTheServerLimits()
    {
        var info = await Client.GetIndexInfoAsync(new GetIndexInfoRequest(), Deadline);

        Assert.Equal(fixture.Metadata.CorpusSha256, info.CorpusSha256);
        Assert.Equal(fixture.Metadata.CorpusSource, info.CorpusSource);
        Assert.Equal("korean-unigram-bigram", info.Analyzer);
        Assert.Equal(fixture.Metadata.PassageCount, info.PassageCount);
        Assert.Equal(fixture.Metadata.DocumentCount, info.DocumentCount);
        Assert.Equal((1.1f, 0.6f, Similarity.Bm25), (info.DefaultK1, info.DefaultB, info.DefaultSimilarity));
        Assert.Equal((ServerFixture.MaxTopK, ServerFixture.MaxBatchSize), (info.MaxTopK, info.MaxBatchSize));
        Assert.EndsWith("Z", info.BuiltAt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retrieve_WithEmptyQuery_ReturnsInvalidArgument()
    {
        var error = await AssertStatus(StatusCode.InvalidArgument, Client.RetrieveAsync(new RetrieveRequest { Query = "" }, Deadline));
        Assert.Contains("query is empty", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retrieve_WithWhitespaceQuery_ReturnsInvalidArgument()
    {
        await AssertStatus(StatusCode.InvalidArgument, Client.RetrieveAsync(new RetrieveRequest { Query = " \t\n " }, Deadline));
    }

    [Fact]
    public async Task Retrieve_WithMegabyteQuery_ReturnsInvalidArgumentNamingTheLimit()
    {
        string huge = string.Concat(Enumerable.Repeat(Question(0) + " ", 1 + (1 << 20) / Question(0).Length));
        var error = await AssertStatus(StatusCode.InvalidArgument, Client.RetrieveAsync(new RetrieveRequest { Query = huge }, Deadline));
        Assert.Contains("Retriever:MaxQueryChars", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retrieve_WithOnlyPunctuation_ReturnsInvalidArgument()
    {
        var error = await AssertStatus(StatusCode.InvalidArgument, Client.RetrieveAsync(new RetrieveRequest { Query = "?!…" }, Deadline));
        Assert.Contains("no searchable words", error.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(ServerFixture.MaxTopK + 1)]
    public async Task Retrieve_WithTopKOutOfRange_ReturnsInvalidArgument(int topK)
    {
        var error = await AssertStatus(StatusCode.InvalidArgument, Client.RetrieveAsync(new RetrieveRequest { Query = Question(0), TopK = topK }, Deadline));
        Assert.Contains($"between 1 and {ServerFixture.MaxTopK}", error.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-0.1f, null)]
    [InlineData(3.5f, null)]
    [InlineData(float.NaN, null)]
    [InlineData(null, -0.5f)]
    [InlineData(null, 1.5f)]
    [InlineData(null, float.PositiveInfinity)]
    public async Task Retrieve_WithK1OrBOutOfBounds_ReturnsInvalidArgument(float? k1, float? b)
    {
        var options = new RetrieveOptions();
        if (k1 is { } k) options.K1 = k;
        if (b is { } bValue) options.B = bValue;
        var error = await AssertStatus(StatusCode.InvalidArgument,
            Client.RetrieveAsync(new RetrieveRequest { Query = Question(0), Options = options }, Deadline));
        Assert.Contains(k1 is null ? "options.b" : "options.k1", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retrieve_WithUnknownSimilarity_ReturnsInvalidArgument()
    {
        await AssertStatus(StatusCode.InvalidArgument, Client.RetrieveAsync(
            new RetrieveRequest { Query = Question(0), Options = new RetrieveOptions { Similarity = (Similarity)42 } }, Deadline));
    }

    [Fact]
    public async Task RetrieveBatch_OverTheMaximumSize_ReturnsResourceExhausted()
    {
        var request = new RetrieveBatchRequest();
        request.Queries.Add(Enumerable.Range(0, ServerFixture.MaxBatchSize + 1).Select(i => Question(i % 8)));

        var error = await AssertStatus(StatusCode.ResourceExhausted, Client.RetrieveBatchAsync(request, Deadline));
        Assert.Contains("Split it", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RetrieveBatch_WithOneEmptyQuery_ReturnsInvalidArgumentNamingIt()
    {
        var request = new RetrieveBatchRequest();
        request.Queries.Add([Question(0), Question(1), "  "]);

        var error = await AssertStatus(StatusCode.InvalidArgument, Client.RetrieveBatchAsync(request, Deadline));
        Assert.Contains("queries[2]", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retrieve_AfterManyBadRequests_StillAnswers()
    {
        var bad = Enumerable.Range(0, 20).Select(i => AssertStatus(StatusCode.InvalidArgument,
            Client.RetrieveAsync(new RetrieveRequest { Query = i % 2 == 0 ? "" : Question(0), TopK = i % 2 == 0 ? 1 : -5 }, Deadline)));
        await Task.WhenAll(bad);

        var response = await Client.RetrieveAsync(new RetrieveRequest { Query = Question(4), TopK = 1 }, Deadline);
        Assert.Single(response.Passages);
    }

    [Fact]
    public async Task Health_WithAnIndex_ReportsServing()
    {
        var health = new Health.HealthClient(fixture.Server.Channel);
        var response = await health.CheckAsync(new HealthCheckRequest(), Deadline);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task Reflection_ListsTheRetrieverService()
    {
        var reflection = new ServerReflection.ServerReflectionClient(fixture.Server.Channel);
        using var call = reflection.ServerReflectionInfo(Deadline);
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Contains("mrc.v1.Retriever", call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name));
    }

    internal static async Task<RpcException> AssertStatus<T>(StatusCode expected, AsyncUnaryCall<T> call)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.Equal(expected, error.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(error.Status.Detail));
        return error;
    }
}

/// <summary>Services whose index is missing, corrupt or appears while they run.</summary>
public class GrpcIndexStateTests
{
    static CallOptions Deadline => new(deadline: DateTime.UtcNow.AddSeconds(30));

    static RetrieveRequest Request => new() { Query = PartA.All.Articles[0].Paragraphs[0].Questions[0].Question, TopK = 1 };

    [Fact]
    public async Task Retrieve_WithoutIndex_ReturnsFailedPreconditionUntilOneIsBuilt()
    {
        using var temp = new TempDirectory();
        await using var server = await RetrieverServer.StartAsync(temp.Combine("index"));

        var error = await GrpcServiceTests.AssertStatus(StatusCode.FailedPrecondition, server.Client.RetrieveAsync(Request, Deadline));
        Assert.Contains("mrc index build", error.Status.Detail, StringComparison.Ordinal);
        await GrpcServiceTests.AssertStatus(StatusCode.FailedPrecondition, server.Client.GetIndexInfoAsync(new GetIndexInfoRequest(), Deadline));
        var health = await new Health.HealthClient(server.Channel).CheckAsync(new HealthCheckRequest(), Deadline);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, health.Status);

        PartA.BuildIndex(temp.Path, temp.Combine("index"), 0, 2);

        var response = await server.Client.RetrieveAsync(Request, Deadline);
        Assert.Equal("0-0", response.Passages[0].DocumentId);
    }

    [Fact]
    public async Task Retrieve_WithCorruptIndex_ReturnsFailedPrecondition()
    {
        using var temp = new TempDirectory();
        var built = PartA.BuildIndex(temp.Path, temp.Combine("index"), 0, 1);
        AtomicRebuildTests.Damage(built.GenerationPath, "segments");
        await using var server = await RetrieverServer.StartAsync(temp.Combine("index"));

        var error = await GrpcServiceTests.AssertStatus(StatusCode.FailedPrecondition, server.Client.RetrieveAsync(Request, Deadline));
        Assert.Contains("corrupt", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retrieve_AfterARebuild_AnswersFromTheNewIndexWithoutRestart()
    {
        using var temp = new TempDirectory();
        PartA.BuildIndex(temp.Path, temp.Combine("index"), 0, 2);
        await using var server = await RetrieverServer.StartAsync(temp.Combine("index"));
        var before = await server.Client.GetIndexInfoAsync(new GetIndexInfoRequest(), Deadline);

        var rebuilt = PartA.BuildIndex(temp.Path, temp.Combine("index"), 2, 3);

        var deadline = DateTime.UtcNow.AddSeconds(20);
        IndexInfo after;
        do
        {
            await Task.Delay(100);
            after = await server.Client.GetIndexInfoAsync(new GetIndexInfoRequest(), Deadline);
        }
        while (after.CorpusSha256 == before.CorpusSha256 && DateTime.UtcNow < deadline);
        Assert.Equal(rebuilt.Metadata.CorpusSha256, after.CorpusSha256);
    }

    [Theory]
    [InlineData("Retriever:IndexPath=")]
    [InlineData("Retriever:K1=7")]
    [InlineData("Retriever:MaxTopK=0")]
    [InlineData("Retriever:DefaultTopK=500")]
    public async Task Start_WithInvalidOptions_FailsNamingTheSetting(string setting)
    {
        using var temp = new TempDirectory();
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => RetrieverServer.StartAsync(temp.Path, setting));
        Assert.Contains(setting.Split('=')[0], error.Message, StringComparison.Ordinal);
    }
}
