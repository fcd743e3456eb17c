using Grpc.Core;
using Microsoft.Extensions.Options;
using Mrc.Contracts.V1;
using Mrc.Retrieval.Indexing;
using IndexSettings = Mrc.Retrieval.Settings.IndexSettings;
using Mrc.Retriever.Tests.Support;

namespace Mrc.Retriever.Tests;

/// <summary>Several named indexes in one service, over real gRPC: each searched, listed, described and rebuilt on its own.</summary>
public sealed class NamedIndexesTests : IDisposable
{
    readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    static CallOptions Deadline => new(deadline: DateTime.UtcNow.AddSeconds(30));

    static string Question(int article) => PartA.All.Articles[article].Paragraphs[0].Questions[0].Question;

    static readonly IndexSettings OtherSettings = new() { Analyzer = "whitespace-bigram", StopWords = ["및"], K1 = 1.1f, B = 0.6f };

    /// <summary>"default" holds articles 0-2 with the default settings, "other" articles 3-5 with <see cref="OtherSettings"/>.</summary>
    async Task<RetrieverServer> StartTwoIndexes(params string[] settings)
    {
        PartA.BuildIndex(temp.Path, temp.Combine("default"), 0, 3);
        PartA.BuildIndex(temp.Path, temp.Combine("other"), 3, 3, new IndexBuildOptions { Settings = OtherSettings, ChunkSize = 0 });
        return await RetrieverServer.StartAsync(temp.Combine("default"), [$"Retriever:Indexes:other={temp.Combine("other")}", .. settings]);
    }

    [Fact]
    public async Task Retrieve_SearchesTheNamedIndex_AndTheDefaultOneWithoutAName()
    {
        await using var server = await StartTwoIndexes();

        var named = await server.Client.RetrieveAsync(new RetrieveRequest { Query = Question(4), TopK = 3, Index = "other" }, Deadline);
        var unnamed = await server.Client.RetrieveAsync(new RetrieveRequest { Query = Question(4), TopK = 3 }, Deadline);
        var batch = await server.Client.RetrieveBatchAsync(new RetrieveBatchRequest { Queries = { Question(3), Question(5) }, TopK = 1, Index = "other" }, Deadline);

        string Title(int article) => PartA.All.Articles[article].Title;
        Assert.Equal(Title(4), named.Passages[0].Title);
        Assert.All(unnamed.Passages, p => Assert.Contains(p.Title, new[] { Title(0), Title(1), Title(2) }));
        Assert.Equal([Title(3), Title(5)], batch.Results.Select(r => r.Passages[0].Title));
    }

    [Fact]
    public async Task UnknownIndex_IsNotFound_ListingTheIndexesServed()
    {
        await using var server = await StartTwoIndexes();

        var calls = new Func<Task>[]
        {
            () => server.Client.RetrieveAsync(new RetrieveRequest { Query = "서울", Index = "wiki" }, Deadline).ResponseAsync,
            () => server.Client.RetrieveBatchAsync(new RetrieveBatchRequest { Queries = { "서울" }, Index = "wiki" }, Deadline).ResponseAsync,
            () => server.Client.GetIndexInfoAsync(new GetIndexInfoRequest { Index = "wiki" }, Deadline).ResponseAsync,
        };
        foreach (var call in calls)
        {
            var error = await Assert.ThrowsAsync<RpcException>(call);
            Assert.Equal(StatusCode.NotFound, error.StatusCode);
            Assert.Contains("no index named 'wiki'", error.Status.Detail, StringComparison.Ordinal);
            Assert.Contains("default, other", error.Status.Detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ListIndexes_GivesEveryIndex_WithItsInfoOrWhyItIsNotOpen()
    {
        await using var server = await StartTwoIndexes($"Retriever:Indexes:later={temp.Combine("not-built")}");

        var list = await server.Client.ListIndexesAsync(new ListIndexesRequest(), Deadline);

        Assert.Equal(["default", "later", "other"], list.Indexes.Select(i => i.Name));
        Assert.Equal([true, false, false], list.Indexes.Select(i => i.IsDefault));
        Assert.Equal("korean-unigram-bigram", list.Indexes[0].Info.Analyzer);
        Assert.Equal("whitespace-bigram", list.Indexes[2].Info.Analyzer);
        Assert.Null(list.Indexes[1].Info);
        Assert.Contains("mrc index build", list.Indexes[1].UnavailableReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetIndexInfo_ReportsTheSettingsTheIndexWasBuiltWith_AndScoresWithThem()
    {
        await using var server = await StartTwoIndexes();

        var other = await server.Client.GetIndexInfoAsync(new GetIndexInfoRequest { Index = "other" }, Deadline);
        var byDefault = await server.Client.GetIndexInfoAsync(new GetIndexInfoRequest(), Deadline);

        Assert.Equal("other", other.Name);
        Assert.Equal("whitespace-bigram", other.Settings.Analyzer);
        Assert.Equal(["및"], other.Settings.StopWords);
        Assert.Equal((1.1f, 0.6f), (other.Settings.K1, other.Settings.B));
        // No Retriever:K1/B configured: each index is searched with its own k1 and b.
        Assert.Equal((1.1f, 0.6f), (other.DefaultK1, other.DefaultB));
        Assert.Equal(("default", 0.2f, 1.0f), (byDefault.Name, byDefault.DefaultK1, byDefault.DefaultB));
        Assert.Equal("", other.SettingsMismatch);
    }

    [Fact]
    public async Task GetIndexInfo_ReportsAnIndexBuiltWithOtherSettingsThanExpected()
    {
        string expectedFile = temp.Combine("expected.json");
        File.WriteAllText(expectedFile, """{ "analyzer": "whitespace-bigram", "stop_words": ["및"], "bm25": { "k1": 0.2, "b": 0.6 } }""");
        string sameFile = temp.Combine("same.json");
        File.WriteAllText(sameFile, "{}");
        await using var server = await StartTwoIndexes($"Retriever:ExpectedSettings:other={expectedFile}", $"Retriever:ExpectedSettings:default={sameFile}");

        var other = await server.Client.GetIndexInfoAsync(new GetIndexInfoRequest { Index = "other" }, Deadline);
        var byDefault = await server.Client.GetIndexInfoAsync(new GetIndexInfoRequest(), Deadline);

        Assert.Contains("bm25.k1", other.SettingsMismatch, StringComparison.Ordinal);
        Assert.DoesNotContain("analyzer", other.SettingsMismatch, StringComparison.Ordinal);
        Assert.Equal("", byDefault.SettingsMismatch);
        // Still searched with the settings its tokens were made with.
        Assert.Equal(1.1f, other.DefaultK1);
    }

    [Fact]
    public async Task RebuildingOneIndex_SwapsItAlone()
    {
        await using var server = await StartTwoIndexes();
        var defaultBefore = await server.Client.GetIndexInfoAsync(new GetIndexInfoRequest(), Deadline);
        var otherBefore = await server.Client.GetIndexInfoAsync(new GetIndexInfoRequest { Index = "other" }, Deadline);

        var rebuilt = PartA.BuildIndex(temp.Path, temp.Combine("other"), 6, 2);

        var deadline = DateTime.UtcNow.AddSeconds(20);
        IndexInfo after;
        do
        {
            await Task.Delay(100);
            after = await server.Client.GetIndexInfoAsync(new GetIndexInfoRequest { Index = "other" }, Deadline);
        }
        while (after.CorpusSha256 == otherBefore.CorpusSha256 && DateTime.UtcNow < deadline);
        Assert.Equal(rebuilt.Metadata.CorpusSha256, after.CorpusSha256);
        // The rebuild used the default settings, and the index now reports and searches with those.
        Assert.Equal("korean-unigram-bigram", after.Settings.Analyzer);
        Assert.Equal(defaultBefore.BuiltAt, (await server.Client.GetIndexInfoAsync(new GetIndexInfoRequest(), Deadline)).BuiltAt);
    }

    [Theory]
    [InlineData("Retriever:Indexes:Wiki=/tmp/x", "Retriever:Indexes:Wiki")]
    [InlineData("Retriever:Indexes:default=/tmp/x", "Retriever:Indexes:default")]
    [InlineData("Retriever:ExpectedSettings:wiki=/tmp/x.json", "Retriever:ExpectedSettings:wiki names no index")]
    public async Task Start_WithABadIndexSetting_FailsNamingIt(string setting, string expected)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => RetrieverServer.StartAsync(temp.Path, setting));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MaxScoreFrom_DecidesWhichIndexesArePruned_AndTheResponseSaysSo()
    {
        // Three articles' passages: below the default threshold, searched exhaustively with exact
        // counts; with the threshold at 1 the same search is pruned, its count only a lower bound.
        var request = new RetrieveRequest { Query = Question(1), TopK = 3 };
        RetrieveResponse exhaustive, pruned;
        await using (var server = await StartTwoIndexes())
            exhaustive = await server.Client.RetrieveAsync(request, Deadline);
        await using (var server = await RetrieverServer.StartAsync(temp.Combine("default"), "Retriever:MaxScoreFrom=1"))
            pruned = await server.Client.RetrieveAsync(request, Deadline);

        Assert.False(exhaustive.TotalHitsIsLowerBound);
        Assert.True(pruned.TotalHitsIsLowerBound);
        Assert.Equal(exhaustive.Passages.Select(p => p.Id), pruned.Passages.Select(p => p.Id));
        Assert.True(pruned.TotalHits <= exhaustive.TotalHits);
    }

    [Fact]
    public async Task Start_WithMaxScoreFromBelowOne_FailsNamingIt()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => RetrieverServer.StartAsync(temp.Path, "Retriever:MaxScoreFrom=0"));
        Assert.Contains("Retriever:MaxScoreFrom must be at least 1, not 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WithAMalformedExpectedSettingsFile_FailsNamingTheFileAndLine()
    {
        string file = temp.Combine("expected.json");
        File.WriteAllText(file, "{\n  \"bm25\": { \"k\": 1 }\n}");
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => RetrieverServer.StartAsync(temp.Path, $"Retriever:ExpectedSettings:default={file}"));
        Assert.Contains("Retriever:ExpectedSettings:default", error.Message, StringComparison.Ordinal);
        Assert.Contains("expected.json:2: bm25.k is not a BM25 parameter", error.Message, StringComparison.Ordinal);
    }
}
