using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mrc.Retriever.Tests.Support;

namespace Mrc.Retriever.Tests;

/// <summary>The retriever as curl users see it: JSON over a real HTTP/1.1 connection to Kestrel.</summary>
public sealed class JsonTranscodingTests : IDisposable
{
    readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    static HttpClient Http1Client(RetrieverServer server) => new()
    {
        BaseAddress = server.Http1Address,
        DefaultRequestVersion = HttpVersion.Version11,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    [Fact]
    public async Task PostRetrieve_AnswersWithPassagesAsJson()
    {
        PartA.BuildIndex(temp.Path, temp.Combine("index"), 0, 3);
        await using var server = await RetrieverServer.StartAsync(temp.Combine("index"));
        using var http = Http1Client(server);
        var question = PartA.All.Articles[2].Paragraphs[0].Questions[0].Question;

        using var response = await http.PostAsJsonAsync("/api/v1/retrieve", new { query = question, topK = 2 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new Version(1, 1), response.Version);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var passages = json.RootElement.GetProperty("passages");
        Assert.Equal(2, passages.GetArrayLength());
        Assert.Equal(PartA.All.Articles[2].Title, passages[0].GetProperty("title").GetString());
        Assert.Equal(PartA.All.Articles[2].Paragraphs[0].Context, passages[0].GetProperty("text").GetString());
        Assert.Equal(1, passages[0].GetProperty("rank").GetInt32());
    }

    [Fact]
    public async Task GetIndexes_ListsThemAndGetIndexInfoDescribesOne()
    {
        PartA.BuildIndex(temp.Path, temp.Combine("index"), 0, 2);
        await using var server = await RetrieverServer.StartAsync(temp.Combine("index"));
        using var http = Http1Client(server);

        using var list = JsonDocument.Parse(await http.GetStringAsync("/api/v1/indexes"));
        using var info = JsonDocument.Parse(await http.GetStringAsync("/api/v1/indexes/default"));
        using var byDefault = JsonDocument.Parse(await http.GetStringAsync("/api/v1/index"));

        Assert.Equal("default", list.RootElement.GetProperty("indexes")[0].GetProperty("name").GetString());
        Assert.Equal("korean-unigram-bigram", info.RootElement.GetProperty("settings").GetProperty("analyzer").GetString());
        Assert.Equal(info.RootElement.GetProperty("corpusSha256").GetString(), byDefault.RootElement.GetProperty("corpusSha256").GetString());
    }

    [Fact]
    public async Task AnUnknownIndex_Is404_WithTheMessage()
    {
        PartA.BuildIndex(temp.Path, temp.Combine("index"), 0, 1);
        await using var server = await RetrieverServer.StartAsync(temp.Combine("index"));
        using var http = Http1Client(server);

        using var post = await http.PostAsJsonAsync("/api/v1/retrieve", new { query = "서울", index = "wiki" });
        using var get = await http.GetAsync(new Uri("/api/v1/indexes/wiki", UriKind.Relative));

        foreach (var response in new[] { post, get })
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(5, json.RootElement.GetProperty("code").GetInt32()); // google.rpc.Code NOT_FOUND
            Assert.Contains("no index named 'wiki'", json.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AnEmptyQuery_Is400_WithTheMessage()
    {
        PartA.BuildIndex(temp.Path, temp.Combine("index"), 0, 1);
        await using var server = await RetrieverServer.StartAsync(temp.Combine("index"));
        using var http = Http1Client(server);

        using var response = await http.PostAsJsonAsync("/api/v1/retrieve", new { query = " " });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("query is empty", json.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
