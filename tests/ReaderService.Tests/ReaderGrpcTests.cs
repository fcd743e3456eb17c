using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Mrc.Contracts.V1;
using Mrc.Reader.Tests.Support;

namespace Mrc.Reader.Tests;

/// <summary>The mrc.v1.Reader service over gRPC (HTTP/2 through the ASP.NET Core test server), with a tiny model repository.</summary>
public sealed class ReaderGrpcTests : IDisposable
{
    readonly TinyModelRepository repository = new();
    readonly WebApplicationFactory<ReaderOptions> factory;
    readonly GrpcChannel channel;
    readonly Contracts.V1.Reader.ReaderClient client;

    public ReaderGrpcTests()
    {
        factory = new WebApplicationFactory<ReaderOptions>().WithWebHostBuilder(web =>
        {
            web.UseSetting("Reader:ModelRepository", repository.Root);
            web.UseSetting("Reader:DefaultModel", "korean-tiny");
            web.UseSetting("Reader:Device", "cpu");
            web.UseSetting("Reader:MaxPassages", "3");
            web.UseSetting("Reader:MaxTotalCharacters", "2000");
        });
        channel = GrpcChannel.ForAddress(factory.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = factory.Server.CreateHandler() });
        client = new Contracts.V1.Reader.ReaderClient(channel);
    }

    public void Dispose()
    {
        channel.Dispose();
        factory.Dispose();
        repository.Dispose();
    }

    static ReadRequest Request(params string[] passages)
    {
        var request = new ReadRequest { Question = TinyModelRepository.Question };
        request.Passages.AddRange(passages.Select((text, i) => new ReadPassage { Id = $"doc-{i}", Title = "t", Text = text }));
        return request;
    }

    static DateTime Deadline => DateTime.UtcNow.AddSeconds(60);

    [Fact]
    public async Task Read_WithDefaults_AnswersFromTheLatestDefaultModel()
    {
        var response = await client.ReadAsync(Request(TinyModelRepository.Context), deadline: Deadline);

        Assert.Equal("korean-tiny", response.Model);
        Assert.Equal("10", response.Version);
        Assert.Equal(5, response.Answers.Count);
        Assert.All(response.Answers, a => Assert.Equal(TinyModelRepository.Context[a.StartChar..a.EndChar], a.Text));
        Assert.All(response.Answers, a => Assert.Equal("doc-0", a.PassageId));
        Assert.True(response.Answers[0].Score >= response.Answers[^1].Score);
        Assert.InRange(response.Answers.Sum(a => a.Probability), 0.0, 1.0001);
    }

    [Fact]
    public async Task Read_WithOptions_HonoursNBestVersionAndConcatMode()
    {
        var request = Request(TinyModelRepository.Context, "서울은 한강을 끼고 있다.");
        request.Version = "2";
        request.Options = new ReadOptions { NBest = 3, Mode = ReadMode.Concat, MaxAnswerLength = 5 };

        var response = await client.ReadAsync(request, deadline: Deadline);

        Assert.Equal("2", response.Version);
        Assert.Equal(3, response.Answers.Count);
        Assert.All(response.Answers, a => Assert.Equal(request.Passages.Single(p => p.Id == a.PassageId).Text[a.StartChar..a.EndChar], a.Text));
    }

    [Fact]
    public async Task ListModels_ShowsEveryVersionWithCardLoadStateAndErrors()
    {
        var request = Request(TinyModelRepository.Context);
        request.Model = "broken";
        await Assert.ThrowsAsync<RpcException>(async () => await client.ReadAsync(request, deadline: Deadline));
        await client.ReadAsync(Request(TinyModelRepository.Context), deadline: Deadline);

        var models = (await client.ListModelsAsync(new ListModelsRequest(), deadline: Deadline)).Models;

        Assert.Equal(["broken/1", "korean-tiny/10", "korean-tiny/2", "korean-tiny/1", "other-tiny/1"], models.Select(m => $"{m.Name}/{m.Version}"));
        var latest = models.Single(m => m.Name == "korean-tiny" && m.Version == "10");
        Assert.True(latest.Loaded);
        Assert.True(latest.IsDefault);
        Assert.Equal("cpu", latest.Device);
        Assert.True(latest.Parameters > 0);
        Assert.Equal(12.5, latest.Metrics["exact_match"]);
        Assert.Equal("tiny random BERT for tests", latest.Description);
        Assert.Equal("roberta", models.Single(m => m.Name == "other-tiny").Architecture);
        Assert.Contains("no weights", models.Single(m => m.Name == "broken").LoadError, StringComparison.Ordinal);
    }

    public static TheoryData<string, Action<ReadRequest>, string> InvalidRequests => new()
    {
        { "empty question", r => r.Question = "  ", "question must not be empty" },
        { "no passages", r => r.Passages.Clear(), "at least one passage" },
        { "too many passages", r => r.Passages.AddRange(Enumerable.Range(0, 3).Select(i => new ReadPassage { Id = $"x{i}", Text = "서울" })), "limit is 3" },
        { "too many characters", r => r.Passages[0].Text = new string('가', 2001), "limit is 2000" },
        { "empty passage", r => r.Passages[0].Text = "", "has no text" },
        { "n_best too large", r => r.Options = new ReadOptions { NBest = 21 }, "n_best" },
        { "negative max answer length", r => r.Options = new ReadOptions { MaxAnswerLength = -1 }, "max_answer_length" },
        { "unknown mode", r => r.Options = new ReadOptions { Mode = (ReadMode)7 }, "mode" },
        { "NaN retriever weight", r => r.Options = new ReadOptions { RetrieverWeight = float.NaN }, "retriever_weight" },
        { "weight in concat mode", r => r.Options = new ReadOptions { Mode = ReadMode.Concat, RetrieverWeight = 1 }, "SEPARATE" },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task Read_WithInvalidRequest_ReturnsInvalidArgument(string because, Action<ReadRequest> spoil, string message)
    {
        var request = Request(TinyModelRepository.Context);
        spoil(request);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await client.ReadAsync(request, deadline: Deadline));

        Assert.True(error.StatusCode == StatusCode.InvalidArgument, because);
        Assert.Contains(message, error.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nope", "")]
    [InlineData("korean-tiny", "7")]
    public async Task Read_WithUnknownModelOrVersion_ReturnsNotFound(string model, string version)
    {
        var request = Request(TinyModelRepository.Context);
        request.Model = model;
        request.Version = version;

        var error = await Assert.ThrowsAsync<RpcException>(async () => await client.ReadAsync(request, deadline: Deadline));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Read_WithUnloadableModel_ReturnsFailedPreconditionAndOthersKeepServing()
    {
        var request = Request(TinyModelRepository.Context);
        request.Model = "broken";

        var error = await Assert.ThrowsAsync<RpcException>(async () => await client.ReadAsync(request, deadline: Deadline));

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("no weights", error.Status.Detail, StringComparison.Ordinal);
        var ok = await client.ReadAsync(Request(TinyModelRepository.Context), deadline: Deadline);
        Assert.NotEmpty(ok.Answers);
    }

    [Fact]
    public async Task Read_ConcurrentCallers_EachGetTheirOwnAnswers()
    {
        string[] contexts = [TinyModelRepository.Context, "세종대왕은 훈민정음을 만들었다.", "서울은 한강을 끼고 있다.", "대한민국의 수도는 서울이다."];
        var expected = new List<ReadResponse>();
        foreach (var context in contexts) expected.Add(await client.ReadAsync(Request(context), deadline: Deadline));

        var responses = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => client.ReadAsync(Request(contexts[i % contexts.Length]), deadline: Deadline).ResponseAsync));

        for (var i = 0; i < responses.Length; i++)
        {
            Assert.Equal(expected[i % contexts.Length].Answers.Select(a => (a.Text, a.StartChar)), responses[i].Answers.Select(a => (a.Text, a.StartChar)));
        }
    }
}
