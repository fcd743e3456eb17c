using System.Security.Cryptography;
using Mrc.Retrieval.Analysis;
using Mrc.Retrieval.Evaluation;
using Mrc.Retrieval.Indexing;
using Mrc.Retrieval.Lifecycle;
using Mrc.Retrieval.Search;
using Mrc.Retriever.Tests.Support;

namespace Mrc.Retriever.Tests;

/// <summary>One index of part a's first eight articles, shared by the tests that only read it.</summary>
public sealed class SmallIndexFixture : IDisposable
{
    public const int Articles = 8;
    readonly TempDirectory temp = new();

    public SmallIndexFixture()
    {
        CorpusPath = PartA.WriteArticles(temp.Path, 0, Articles);
        IndexPath = temp.Combine("index");
        Build = IndexBuilder.Build(CorpusIngest.Load(CorpusPath), IndexPath, new IndexBuildOptions { ChunkSize = 0 });
        Host = IndexHost.Open(IndexPath);
        Searcher = new PassageSearcher(Host, ScoringSettings.LuceneDefaults);
    }

    public string CorpusPath { get; }
    public string IndexPath { get; }
    public IndexBuildResult Build { get; }
    public IndexHost Host { get; }
    public PassageSearcher Searcher { get; }

    public void Dispose()
    {
        Host.Dispose();
        temp.Dispose();
    }
}

public class IndexRoundTripTests(SmallIndexFixture index) : IClassFixture<SmallIndexFixture>
{
    [Fact]
    public void Search_PartAQuestions_FindTheirGoldParagraphs()
    {
        var questions = PartA.Articles(0, SmallIndexFixture.Articles).Examples().ToList();

        var report = RetrievalEvaluator.Evaluate(index.Searcher, questions, [1, 5, 20]);

        Assert.Equal(questions.Count, report.Questions);
        Assert.True(report.RecallAtK[1] > 0.85, $"R@1 {report.RecallAtK[1]}");
        Assert.True(report.RecallAtK[20] > 0.98, $"R@20 {report.RecallAtK[20]}");
        Assert.InRange(report.Mrr, report.RecallAtK[1], 1.0);
    }

    [Fact]
    public void Search_ReturnsPassagesWithTheirSourceTitleOffsetsAndRanks()
    {
        var article = PartA.All.Articles[2];
        var question = article.Paragraphs[0].Questions[0];

        var result = index.Searcher.Search(question.Question, 5);

        Assert.Equal(5, result.Hits.Count);
        Assert.True(result.TotalHits >= 5);
        Assert.Equal([1, 2, 3, 4, 5], result.Hits.Select(h => h.Rank));
        Assert.True(result.Hits.Zip(result.Hits.Skip(1)).All(pair => pair.First.Score >= pair.Second.Score));
        var top = result.Hits[0].Passage;
        Assert.Equal("2-0", top.DocumentId);
        Assert.Equal("2-0#0", top.Id);
        Assert.Equal(article.Title, top.Title);
        Assert.Equal(article.Paragraphs[0].Context, top.Text);
        Assert.Equal((0, top.Text.Length), (top.StartChar, top.EndChar));
    }

    [Fact]
    public void Build_WritesMetadataWithCorpusHashAnalyzerChunkingAndCounts()
    {
        var metadata = IndexMetadata.Load(index.Build.GenerationPath);

        string sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(index.CorpusPath)));
        Assert.Equal(sha, metadata.CorpusSha256);
        Assert.Equal(Path.GetFileName(index.CorpusPath), metadata.CorpusSource);
        Assert.Equal(AnalyzerCatalog.Default, metadata.Analyzer);
        Assert.Equal((0, 0, false), (metadata.ChunkSize, metadata.ChunkOverlap, metadata.TitlePrefix));
        int distinct = PartA.Articles(0, SmallIndexFixture.Articles).Articles.SelectMany(a => a.Paragraphs).Select(p => p.Context).Distinct().Count();
        Assert.Equal(distinct, metadata.DocumentCount);
        Assert.Equal(distinct, metadata.PassageCount);
        Assert.InRange(metadata.BuiltAt, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow);
        Assert.Equal(metadata, index.Host.Metadata);
    }

    [Theory]
    [InlineData("C++ (프로그래밍 언어)?")]
    [InlineData("title:대한민국 AND 수도*")]
    [InlineData("\"닫히지 않은 따옴표")]
    [InlineData("NOT OR AND ~ ^2 [1 TO 5] {a}")]
    [InlineData("1950년 6월 25일에 일어난 전쟁은?")]
    public void Search_WithQueryParserSyntax_TreatsItAsPlainWords(string query)
    {
        var result = index.Searcher.Search(query, 3);
        Assert.NotNull(result);
    }

    [Theory]
    [InlineData("?!")]
    [InlineData("... --- ###")]
    public void Search_WithOnlyPunctuation_ThrowsQueryHasNoTerms(string query)
    {
        Assert.Throws<QueryHasNoTermsException>(() => index.Searcher.Search(query, 3));
    }

    [Fact]
    public void Search_WithOtherScoring_RanksByThatScoring()
    {
        string query = PartA.All.Articles[1].Paragraphs[1].Questions[0].Question;

        var bm25 = index.Searcher.Search(query, 5);
        var tuned = index.Searcher.Search(query, 5, new ScoringSettings(SimilarityKind.Bm25, 2.5f, 0.2f));
        var tfidf = index.Searcher.Search(query, 5, new ScoringSettings(SimilarityKind.Tfidf, 1.2f, 0.75f));

        Assert.NotEqual(bm25.Hits[0].Score, tuned.Hits[0].Score);
        Assert.NotEqual(bm25.Hits[0].Score, tfidf.Hits[0].Score);
        Assert.Equal(bm25.TotalHits, tfidf.TotalHits);
    }

    [Fact]
    public void BatchSearch_OnSeveralThreads_ReturnsEachQuerysResultsInInputOrder()
    {
        var queries = PartA.Articles(0, SmallIndexFixture.Articles).Examples().Select(q => q.Question).Take(60).ToList();

        var batch = index.Searcher.BatchSearch(queries, 5, threads: 4);

        Assert.Equal(queries.Count, batch.Count);
        for (int i = 0; i < queries.Count; i++)
            Assert.Equal(index.Searcher.Search(queries[i], 5).Hits.Select(h => h.Passage.Id), batch[i].Hits.Select(h => h.Passage.Id));
    }

    [Fact]
    public void SetBm25_ChangesTheDefaultScoringOfLaterSearches()
    {
        var searcher = new PassageSearcher(index.Host, ScoringSettings.LuceneDefaults);
        string query = PartA.All.Articles[0].Paragraphs[0].Questions[0].Question;
        float before = searcher.Search(query, 1).Hits[0].Score;

        searcher.SetBm25(0.5f, 0.3f);

        Assert.Equal(new ScoringSettings(SimilarityKind.Bm25, 0.5f, 0.3f), searcher.Defaults);
        Assert.NotEqual(before, searcher.Search(query, 1).Hits[0].Score);
        Assert.Throws<ArgumentOutOfRangeException>(() => searcher.SetBm25(4f, 0.5f));
    }
}
