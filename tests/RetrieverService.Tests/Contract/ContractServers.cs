using Mrc.Retrieval.Elasticsearch;
using Mrc.Retrieval.Indexing;
using Mrc.Retriever.Tests.Support;

namespace Mrc.Retriever.Tests.Contract;

/// <summary>
/// One retriever service per backend over the same corpus (the first eight articles of KorQuAD dev
/// part a, paragraphs as passages, default settings), each started the first time a test asks for
/// it, so a skipped backend never starts.
/// </summary>
public sealed class ContractServers : IAsyncLifetime, IDisposable
{
    public const int Articles = 8;

    readonly TempDirectory temp = new();
    readonly SemaphoreSlim starting = new(1, 1);
    readonly Dictionary<string, RetrieverServer> servers = [];
    ElasticsearchServer? elasticsearch;
    string? elasticsearchIndex;

    public async Task<RetrieverServer> ServerAsync(string backend)
    {
        await starting.WaitAsync();
        try
        {
            if (!servers.TryGetValue(backend, out var server))
            {
                server = backend switch
                {
                    Backends.Lucene => await StartLuceneAsync(),
                    Backends.Elasticsearch => await StartElasticsearchAsync(),
                    _ => throw new ArgumentOutOfRangeException(nameof(backend), backend, "Unknown backend."),
                };
                servers.Add(backend, server);
            }
            return server;
        }
        finally
        {
            starting.Release();
        }
    }

    async Task<RetrieverServer> StartLuceneAsync()
    {
        PartA.BuildIndex(temp.Path, temp.Combine("index"), 0, Articles);
        return await RetrieverServer.StartAsync(temp.Combine("index"));
    }

    async Task<RetrieverServer> StartElasticsearchAsync()
    {
        string url = Backends.ElasticsearchUrl ?? throw new InvalidOperationException($"{Backends.UrlVariable} is not set.");
        string? apiKey = Environment.GetEnvironmentVariable(Backends.ApiKeyVariable);
        elasticsearch = new ElasticsearchServer(new ElasticsearchConnection(new Uri(url), apiKey));
        string alias = $"mrc-contract-{Guid.NewGuid():N}";
        var corpus = CorpusIngest.Load(PartA.WriteArticles(temp.Path, 0, Articles));
        var built = await ElasticsearchIndexBuilder.BuildAsync(corpus, elasticsearch, alias, new IndexBuildOptions { ChunkSize = 0 });
        elasticsearchIndex = built.ConcreteIndex;
        var settings = new List<string> { "Retriever:Backend=Elasticsearch", $"Retriever:Elasticsearch:Url={url}" };
        if (!string.IsNullOrEmpty(apiKey)) settings.Add($"Retriever:Elasticsearch:ApiKey={apiKey}");
        return await RetrieverServer.StartAsync(alias, [.. settings]);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var server in servers.Values) await server.DisposeAsync();
        if (elasticsearch is not null && elasticsearchIndex is not null)
            await elasticsearch.SendAsync(Elastic.Transport.HttpMethod.DELETE, $"/{elasticsearchIndex}", null, "deleting the contract index", CancellationToken.None, 404);
        Dispose();
    }

    public void Dispose()
    {
        starting.Dispose();
        temp.Dispose();
    }
}
