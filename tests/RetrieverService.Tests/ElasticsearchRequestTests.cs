using System.Text;
using System.Text.Json;
using Elastic.Clients.Elasticsearch;
using Elastic.Transport;
using Mrc.Retrieval.Elasticsearch;
using Mrc.Retrieval.Indexing;
using Mrc.Retriever.Tests.Support;

namespace Mrc.Retriever.Tests;

/// <summary>
/// What the official client puts on the wire for the backend's requests, captured with the client's
/// own in-memory request invoker (no server: every request gets an empty answer, or a canned 400
/// where a test refuses it), against requests written by hand from Elasticsearch's documented
/// multi_match, bulk, mapping and alias formats. Nothing here checks how a server would answer;
/// the contract suite does that when ELASTICSEARCH_URL is set.
/// </summary>
public class ElasticsearchRequestTests
{
    /// <summary>
    /// A client whose requests go nowhere; each one's method, path and body is recorded. Every request
    /// gets an empty answer, or, when <paramref name="refuse"/> says so, Elasticsearch's 400 error.
    /// </summary>
    static (ElasticsearchClient Client, List<(string Method, string Path, string Body)> Sent) RecordingClient(Func<string, string, bool>? refuse = null)
    {
        var sent = new List<(string, string, string)>();
        var invoker = new Answers(refuse ?? ((_, _) => false));
        var settings = new ElasticsearchClientSettings(new SingleNodePool(new Uri("http://localhost:9200")), invoker)
            .DisableDirectStreaming(true)
            .OnRequestCompleted(call => sent.Add((call.HttpMethod.ToString(), call.Uri!.AbsolutePath, Encoding.UTF8.GetString(call.RequestBodyInBytes ?? []))));
        return (new ElasticsearchClient(settings), sent);
    }

    /// <summary>The client's in-memory invoker with two canned answers, chosen per request by method and path.</summary>
    sealed class Answers(Func<string, string, bool> refuse) : IRequestInvoker
    {
        // The client refuses answers without Elasticsearch's product header, so both carry it.
        static readonly Dictionary<string, IEnumerable<string>> Product = new() { ["x-elastic-product"] = ["Elasticsearch"] };
        readonly InMemoryRequestInvoker accepted = new(Encoding.UTF8.GetBytes("{}"), 200, null!, "application/json", Product);
        readonly InMemoryRequestInvoker refused = new(Encoding.UTF8.GetBytes(
            """{"error":{"root_cause":[{"type":"mapper_parsing_exception","reason":"refused for the test"}],"type":"mapper_parsing_exception","reason":"refused for the test"},"status":400}"""),
            400, null!, "application/json", Product);

        InMemoryRequestInvoker For(Endpoint endpoint) => refuse(endpoint.Method.ToString(), endpoint.Uri.AbsolutePath) ? refused : accepted;

        public ResponseFactory ResponseFactory => accepted.ResponseFactory;

        public TResponse Request<TResponse>(Endpoint endpoint, BoundConfiguration boundConfiguration, PostData? postData)
            where TResponse : TransportResponse, new() => For(endpoint).Request<TResponse>(endpoint, boundConfiguration, postData);

        public Task<TResponse> RequestAsync<TResponse>(Endpoint endpoint, BoundConfiguration boundConfiguration, PostData? postData, CancellationToken cancellationToken)
            where TResponse : TransportResponse, new() => For(endpoint).RequestAsync<TResponse>(endpoint, boundConfiguration, postData, cancellationToken);

        public void Dispose()
        {
            ((IDisposable)accepted).Dispose();
            ((IDisposable)refused).Dispose();
        }
    }

    static void AssertSameJson(string expected, string actual)
    {
        using var want = JsonDocument.Parse(expected);
        using var got = JsonDocument.Parse(actual);
        Assert.True(JsonElement.DeepEquals(want.RootElement, got.RootElement), $"expected:\n{expected}\nactual:\n{actual}");
    }

    [Fact]
    public async Task Search_IsOneMostFieldsMultiMatchWithTheFieldBoosts()
    {
        var (client, sent) = RecordingClient();

        await client.SearchAsync<ElasticsearchPassage>(
            ElasticsearchPassageIndex.SearchRequestFor("korquad-gen-1", ["text^1", "title^0.5", "text.words^1"], "서울의 옛 이름은?", 3));

        var (method, path, body) = Assert.Single(sent);
        Assert.Equal(("POST", "/korquad-gen-1/_search"), (method, path));
        AssertSameJson("""
            {
              "query": {
                "multi_match": {
                  "query": "서울의 옛 이름은?",
                  "fields": ["text^1", "title^0.5", "text.words^1"],
                  "type": "most_fields"
                }
              },
              "size": 3,
              "track_total_hits": true
            }
            """, body);
    }

    [Fact]
    public async Task Bulk_IndexesEachPassageUnderItsIdWithTheMappedFields()
    {
        var (client, sent) = RecordingClient();
        IndexedPassage[] passages =
        [
            new("0-0#0", "0-0", "ab12", "임종석", "1989년 2월 15일 여의도", 0, 16),
            new("0-0#1", "0-0", "ab12", "임종석", "농민 폭력 시위", 12, 20),
        ];

        await client.BulkAsync(ElasticsearchIndexBuilder.BulkRequestFor("korquad-gen-1", passages));

        var (method, path, body) = Assert.Single(sent);
        Assert.Equal(("POST", "/korquad-gen-1/_bulk"), (method, path));
        string[] expected =
        [
            """{ "index": { "_id": "0-0#0" } }""",
            """{ "id": "0-0#0", "document_id": "0-0", "document_sha256": "ab12", "title": "임종석", "text": "1989년 2월 15일 여의도", "start_char": 0, "end_char": 16 }""",
            """{ "index": { "_id": "0-0#1" } }""",
            """{ "id": "0-0#1", "document_id": "0-0", "document_sha256": "ab12", "title": "임종석", "text": "농민 폭력 시위", "start_char": 12, "end_char": 20 }""",
        ];
        // Newline-delimited JSON: one action line, then the document, for each passage, and a final newline.
        Assert.EndsWith("\n", body, StringComparison.Ordinal);
        var lines = body.TrimEnd('\n').Split('\n');
        Assert.Equal(expected.Length, lines.Length);
        for (int i = 0; i < lines.Length; i++) AssertSameJson(expected[i], lines[i]);
    }

    [Fact]
    public async Task Build_CreatesFillsDescribesAndRefreshesTheNewIndex_ThenMovesTheAliasLast()
    {
        var (client, sent) = RecordingClient();
        var server = new ElasticsearchServer(new ElasticsearchConnection(new Uri("http://localhost:9200")), client);
        using var temp = new TempDirectory();
        var corpus = CorpusIngest.Load(PartA.WriteArticles(temp.Path, 0, 2));

        var built = await ElasticsearchIndexBuilder.BuildAsync(corpus, server, "korquad", new IndexBuildOptions { ChunkSize = 0 });

        string index = built.ConcreteIndex;
        Assert.Matches("^korquad-gen-[0-9]{8}-[0-9]{6}-[0-9]{3}$", index);
        Assert.Equal(
            [
                ("PUT", $"/{index}"), ("POST", $"/{index}/_bulk"), ("PUT", $"/{index}/_mapping"), ("POST", $"/{index}/_refresh"),
                ("GET", "/_alias/korquad"), ("POST", "/_aliases"), ("GET", "/_cat/indices/korquad-gen-*"),
            ],
            sent.Select(r => (r.Method, r.Path)));
        AssertSameJson(ElasticsearchIndexBody.Create(new IndexBuildOptions().Settings).ToJsonString(), sent[0].Body);
        Assert.Equal(2 * (int)built.Metadata.PassageCount, sent[1].Body.TrimEnd('\n').Split('\n').Length);
        using (var meta = JsonDocument.Parse(sent[2].Body))
        {
            var stored = meta.RootElement.GetProperty("_meta");
            Assert.Equal(built.Metadata, IndexMetadata.FromJson(stored.GetProperty("mrc_metadata").GetRawText(), "_meta"));
            Assert.Equal("korean-unigram-bigram", stored.GetProperty("mrc_settings").GetProperty("analyzer").GetString());
        }
        // The alias had no index before (an empty answer): it is only added, in one _aliases request.
        AssertSameJson($$"""{ "actions": [ { "add": { "index": "{{index}}", "alias": "korquad" } } ] }""", sent[5].Body);
    }

    [Fact]
    public async Task Build_WhenAStepAfterCreatingIsRefused_DeletesTheNewIndexAndNeverTouchesTheAlias()
    {
        var (client, sent) = RecordingClient(refuse: (method, path) => method == "PUT" && path.EndsWith("/_mapping", StringComparison.Ordinal));
        var server = new ElasticsearchServer(new ElasticsearchConnection(new Uri("http://localhost:9200")), client);
        using var temp = new TempDirectory();
        var corpus = CorpusIngest.Load(PartA.WriteArticles(temp.Path, 0, 2));

        var error = await Assert.ThrowsAsync<ElasticsearchRequestException>(() =>
            ElasticsearchIndexBuilder.BuildAsync(corpus, server, "korquad", new IndexBuildOptions { ChunkSize = 0 }));

        Assert.Equal("Elasticsearch at http://localhost:9200 refused storing the index metadata (HTTP 400): refused for the test", error.Message);
        string index = sent[0].Path.TrimStart('/');
        Assert.Equal(
            [("PUT", $"/{index}"), ("POST", $"/{index}/_bulk"), ("PUT", $"/{index}/_mapping"), ("DELETE", $"/{index}")],
            sent.Select(r => (r.Method, r.Path)));
    }
}
