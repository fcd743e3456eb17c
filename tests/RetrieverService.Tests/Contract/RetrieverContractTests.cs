using Grpc.Core;
using Mrc.Contracts.V1;
using Mrc.Retriever.Tests.Support;

namespace Mrc.Retriever.Tests.Contract;

/// <summary>
/// What mrc.v1.Retriever promises, whatever backend holds the index: each theory runs against the
/// Lucene backend always and against Elasticsearch when ELASTICSEARCH_URL is set (skipped, with the
/// reason, otherwise). Over real gRPC, both services on the same eight articles of KorQuAD dev part a.
/// </summary>
public sealed class RetrieverContractTests(ContractServers servers) : IClassFixture<ContractServers>
{
    /// <summary>
    /// Checked by hand: the question of KorQuAD dev part a's first article about 임종석's arrest
    /// warrant, and the paragraph that answers it (1989년 2월 15일), the first of that article ("0-0").
    /// </summary>
    const string KoreanQuestion = "임종석이 여의도 농민 폭력 시위를 주도한 혐의로 지명수배 된 날은?";
    const string AnsweringDocument = "0-0";
    const string AnsweringText = "1989년 2월 15일 여의도 농민 폭력 시위를 주도한 혐의(폭력행위등처벌에관한법률위반)으로 지명수배되었다.";

    static CallOptions Deadline => new(deadline: DateTime.UtcNow.AddSeconds(60));

    static string Question(int article) => PartA.All.Articles[article].Paragraphs[0].Questions[0].Question;

    async Task<Contracts.V1.Retriever.RetrieverClient> Client(string backend) => (await servers.ServerAsync(backend)).Client;

    [Theory, LuceneBackend, ElasticsearchBackend]
    public async Task Retrieve_ReturnsTopKPassagesRankedOneToK(string backend)
    {
        var client = await Client(backend);

        var response = await client.RetrieveAsync(new RetrieveRequest { Query = Question(5), TopK = 4 }, Deadline);

        Assert.Equal([1, 2, 3, 4], response.Passages.Select(p => p.Rank));
        Assert.Equal(4, response.Passages.Select(p => p.Id).Distinct().Count());
        Assert.True(response.TotalHits >= 4, $"total hits {response.TotalHits}");
    }

    [Theory, LuceneBackend, ElasticsearchBackend]
    public async Task Retrieve_ScoresDoNotIncreaseDownTheRanking(string backend)
    {
        var client = await Client(backend);

        foreach (int article in new[] { 1, 2, 6, 7 })
        {
            var response = await client.RetrieveAsync(new RetrieveRequest { Query = Question(article), TopK = 10 }, Deadline);
            var scores = response.Passages.Select(p => p.Score).ToList();
            Assert.All(scores, s => Assert.True(s > 0, $"score {s}"));
            Assert.Equal(scores.OrderByDescending(s => s), scores);
        }
    }

    [Theory, LuceneBackend, ElasticsearchBackend]
    public async Task Retrieve_KoreanQuestion_FindsTheHandCheckedPassageFirst(string backend)
    {
        var client = await Client(backend);

        var response = await client.RetrieveAsync(new RetrieveRequest { Query = KoreanQuestion, TopK = 3 }, Deadline);

        var top = response.Passages[0];
        Assert.Equal(AnsweringDocument, top.DocumentId);
        Assert.Equal("임종석", top.Title);
        Assert.StartsWith(AnsweringText, top.Text, StringComparison.Ordinal);
        Assert.Equal((0, top.Text.Length), (top.StartChar, top.EndChar));
    }

    [Theory, LuceneBackend, ElasticsearchBackend]
    public async Task RetrieveBatch_EqualsOneRetrievePerQuery_InInputOrder(string backend)
    {
        var client = await Client(backend);
        var queries = new[] { Question(3), KoreanQuestion, Question(7), Question(4) };

        var batch = await client.RetrieveBatchAsync(new RetrieveBatchRequest { Queries = { queries }, TopK = 5 }, Deadline);

        Assert.Equal(queries.Length, batch.Results.Count);
        for (int i = 0; i < queries.Length; i++)
        {
            var single = await client.RetrieveAsync(new RetrieveRequest { Query = queries[i], TopK = 5 }, Deadline);
            Assert.Equal(single.Passages.Select(p => (p.Id, p.Score, p.Rank)), batch.Results[i].Passages.Select(p => (p.Id, p.Score, p.Rank)));
            Assert.Equal(single.TotalHits, batch.Results[i].TotalHits);
        }
    }

    [Theory, LuceneBackend, ElasticsearchBackend]
    public async Task UnknownIndex_IsNotFound_ListingTheIndexesServed(string backend)
    {
        var client = await Client(backend);

        var calls = new Func<Task>[]
        {
            () => client.RetrieveAsync(new RetrieveRequest { Query = KoreanQuestion, Index = "wiki" }, Deadline).ResponseAsync,
            () => client.RetrieveBatchAsync(new RetrieveBatchRequest { Queries = { KoreanQuestion }, Index = "wiki" }, Deadline).ResponseAsync,
            () => client.GetIndexInfoAsync(new GetIndexInfoRequest { Index = "wiki" }, Deadline).ResponseAsync,
        };
        foreach (var call in calls)
        {
            var error = await Assert.ThrowsAsync<RpcException>(call);
            Assert.Equal(StatusCode.NotFound, error.StatusCode);
            Assert.Equal("There is no index named 'wiki'. This service serves: default (an empty name is 'default').", error.Status.Detail);
        }
    }

    [Theory, LuceneBackend, ElasticsearchBackend]
    public async Task EmptyQuery_IsInvalidArgument(string backend)
    {
        var client = await Client(backend);

        foreach (string query in new[] { "", " \t\n " })
        {
            var single = await Assert.ThrowsAsync<RpcException>(() => client.RetrieveAsync(new RetrieveRequest { Query = query }, Deadline).ResponseAsync);
            Assert.Equal((StatusCode.InvalidArgument, "query is empty: send the question text."), (single.StatusCode, single.Status.Detail));
            var batch = await Assert.ThrowsAsync<RpcException>(
                () => client.RetrieveBatchAsync(new RetrieveBatchRequest { Queries = { KoreanQuestion, query } }, Deadline).ResponseAsync);
            Assert.Equal((StatusCode.InvalidArgument, "queries[1] is empty: send the question text."), (batch.StatusCode, batch.Status.Detail));
        }
    }

    [Theory, LuceneBackend, ElasticsearchBackend]
    public async Task QueryWithoutAnyWord_IsInvalidArgument(string backend)
    {
        var client = await Client(backend);

        var error = await Assert.ThrowsAsync<RpcException>(() => client.RetrieveAsync(new RetrieveRequest { Query = "?!…" }, Deadline).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("no searchable words", error.Status.Detail, StringComparison.Ordinal);
    }

    [Theory, LuceneBackend, ElasticsearchBackend]
    public async Task GetIndexInfo_AndListIndexes_DescribeTheBuild(string backend)
    {
        var client = await Client(backend);
        int paragraphs = PartA.Articles(0, ContractServers.Articles).Articles.SelectMany(a => a.Paragraphs).Select(p => p.Context).Distinct().Count();

        var info = await client.GetIndexInfoAsync(new GetIndexInfoRequest(), Deadline);
        var list = await client.ListIndexesAsync(new ListIndexesRequest(), Deadline);

        Assert.Equal(("default", paragraphs, paragraphs), (info.Name, (int)info.PassageCount, (int)info.DocumentCount));
        Assert.Equal(("korean-unigram-bigram", 0.2f, 1.0f, Similarity.Bm25), (info.Settings.Analyzer, info.DefaultK1, info.DefaultB, info.DefaultSimilarity));
        Assert.Equal($"part-a-0-{ContractServers.Articles}.json", info.CorpusSource);
        var entry = Assert.Single(list.Indexes);
        Assert.Equal(("default", true, ""), (entry.Name, entry.IsDefault, entry.UnavailableReason));
        Assert.Equal(info.PassageCount, entry.Info.PassageCount);
    }
}
