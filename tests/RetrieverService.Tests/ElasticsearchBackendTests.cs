using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Extensions.Options;
using Mrc.Contracts.V1;
using Mrc.Retrieval.Elasticsearch;
using Mrc.Retrieval.Indexing;
using Mrc.Retriever.Tests.Support;

namespace Mrc.Retriever.Tests;

/// <summary>
/// The Elasticsearch backend without a server: the service with Retriever:Backend=Elasticsearch
/// pointed at a port nothing listens on (the real client, a real refused connection), and the
/// configuration it refuses at start. With a server, the contract suite covers the rest.
/// </summary>
public sealed class ElasticsearchBackendTests
{
    static CallOptions Deadline => new(deadline: DateTime.UtcNow.AddSeconds(60));

    static string ClosedAddress()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return $"http://127.0.0.1:{((System.Net.IPEndPoint)listener.LocalEndpoint).Port}";
    }

    [Fact]
    public async Task EveryCall_WhenElasticsearchCannotBeReached_IsUnavailableNamingTheServer()
    {
        string url = ClosedAddress();
        await using var server = await RetrieverServer.StartAsync("wiki", "Retriever:Backend=Elasticsearch", $"Retriever:Elasticsearch:Url={url}");
        var client = server.Client;

        var calls = new Func<Task>[]
        {
            () => client.RetrieveAsync(new RetrieveRequest { Query = "서울의 옛 이름은?" }, Deadline).ResponseAsync,
            () => client.RetrieveBatchAsync(new RetrieveBatchRequest { Queries = { "서울의 옛 이름은?" } }, Deadline).ResponseAsync,
            () => client.GetIndexInfoAsync(new GetIndexInfoRequest(), Deadline).ResponseAsync,
        };
        foreach (var call in calls)
        {
            var error = await Assert.ThrowsAsync<RpcException>(call);
            Assert.Equal(StatusCode.Unavailable, error.StatusCode);
            Assert.StartsWith($"Elasticsearch at {url} cannot be reached (reading index 'wiki'):", error.Status.Detail, StringComparison.Ordinal);
        }
        var listed = Assert.Single((await client.ListIndexesAsync(new ListIndexesRequest(), Deadline)).Indexes);
        Assert.Contains("cannot be reached", listed.UnavailableReason, StringComparison.Ordinal);
        var health = await new Health.HealthClient(server.Channel).CheckAsync(new HealthCheckRequest(), Deadline);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, health.Status);
    }

    [Fact]
    public async Task RequestErrors_AreTheSameWithoutAServer()
    {
        await using var server = await RetrieverServer.StartAsync("wiki", "Retriever:Backend=Elasticsearch", $"Retriever:Elasticsearch:Url={ClosedAddress()}");

        var empty = await Assert.ThrowsAsync<RpcException>(() => server.Client.RetrieveAsync(new RetrieveRequest { Query = " " }, Deadline).ResponseAsync);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => server.Client.RetrieveAsync(new RetrieveRequest { Query = "서울", Index = "news" }, Deadline).ResponseAsync);

        Assert.Equal((StatusCode.InvalidArgument, "query is empty: send the question text."), (empty.StatusCode, empty.Status.Detail));
        Assert.Equal((StatusCode.NotFound, "There is no index named 'news'. This service serves: default (an empty name is 'default')."), (unknown.StatusCode, unknown.Status.Detail));
    }

    [Theory]
    [InlineData("Retriever:Elasticsearch:Url=", "Retriever:Elasticsearch: '' is not an http:// or https:// address")]
    [InlineData("Retriever:Elasticsearch:Url=localhost:9200", "is not an http:// or https:// address")]
    [InlineData("Retriever:K1=1.2", "Retriever:Similarity, K1 and B cannot be set with the Elasticsearch backend")]
    [InlineData("Retriever:Elasticsearch:Username=elastic", "a user name needs a password")]
    [InlineData("Retriever:Indexes:news=News", "Retriever:Indexes:news is not an Elasticsearch index name")]
    public async Task Start_WithABadElasticsearchSetting_StopsNamingIt(string setting, string message)
    {
        var settings = new List<string> { "Retriever:Backend=Elasticsearch", "Retriever:Elasticsearch:Url=http://127.0.0.1:9200" };
        settings.Add(setting);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => RetrieverServer.StartAsync("wiki", [.. settings]));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_WithTitlePrefix_IsRefusedBeforeAnyRequest()
    {
        using var temp = new TempDirectory();
        var corpus = CorpusIngest.Load(PartA.WriteArticles(temp.Path, 0, 1));
        var server = new ElasticsearchServer(new ElasticsearchConnection(new Uri(ClosedAddress())));

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            ElasticsearchIndexBuilder.BuildAsync(corpus, server, "wiki", new IndexBuildOptions { TitlePrefix = true }));

        Assert.Contains("field_boosts.title", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_WhenElasticsearchCannotBeReached_SaysSo()
    {
        using var temp = new TempDirectory();
        var corpus = CorpusIngest.Load(PartA.WriteArticles(temp.Path, 0, 1));
        string url = ClosedAddress();
        var server = new ElasticsearchServer(new ElasticsearchConnection(new Uri(url)));

        var error = await Assert.ThrowsAsync<Mrc.Retrieval.Search.SearchServerUnavailableException>(() =>
            ElasticsearchIndexBuilder.BuildAsync(corpus, server, "wiki", new IndexBuildOptions()));

        Assert.StartsWith($"Elasticsearch at {url} cannot be reached (creating index 'wiki-gen-", error.Message, StringComparison.Ordinal);
    }
}
