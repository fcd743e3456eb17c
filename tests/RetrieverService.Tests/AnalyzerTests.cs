using Lucene.Net.Search;
using Mrc.Retrieval.Analysis;
using Mrc.Retrieval.Indexing;
using Mrc.Retrieval.Lifecycle;
using Mrc.Retrieval.Search;
using Mrc.Retriever.Tests.Support;

namespace Mrc.Retriever.Tests;

public class AnalyzerTests
{
    [Fact]
    public void KoreanBigram_SplitsHangulIntoOverlappingBigrams()
    {
        using var analyzer = AnalyzerCatalog.Create(AnalyzerCatalog.KoreanBigram);
        Assert.Equal(["대한", "한민", "민국", "수도", "도는", "seoul"], QueryBuilder.Tokens(analyzer, "대한민국 수도는 Seoul?"));
    }

    [Fact]
    public void Standard_KeepsWholeWordsWithTheirParticles()
    {
        using var analyzer = AnalyzerCatalog.Create(AnalyzerCatalog.Standard);
        Assert.Equal(["대한민국", "수도는", "seoul"], QueryBuilder.Tokens(analyzer, "대한민국 수도는 Seoul?"));
    }

    [Fact]
    public void WhitespaceBigram_EmitsEachWordThenItsBigrams()
    {
        using var analyzer = AnalyzerCatalog.Create(AnalyzerCatalog.WhitespaceBigram);
        Assert.Equal(["대한민국", "대한", "한민", "민국", "수도", "seoul"], QueryBuilder.Tokens(analyzer, "대한민국 수도 Seoul"));
    }

    [Fact]
    public void Create_WithUnknownName_SaysWhichNamesExist()
    {
        var error = Assert.Throws<ArgumentException>(() => AnalyzerCatalog.Create("nori"));
        Assert.Contains("korean-bigram", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_RepeatedTokens_BecomeOneBoostedClause()
    {
        using var analyzer = AnalyzerCatalog.Create(AnalyzerCatalog.Standard);
        var query = Assert.IsType<BooleanQuery>(QueryBuilder.Build(analyzer, "서울 서울 부산"));
        Assert.Equal(2, query.Clauses.Count);
        Assert.All(query.Clauses, c => Assert.Equal(Occur.SHOULD, c.Occur));
        Assert.Equal(2f, query.Clauses[0].Query.Boost);
    }

    [Theory]
    [InlineData(AnalyzerCatalog.Standard)]
    [InlineData(AnalyzerCatalog.WhitespaceBigram)]
    public void Search_UsesTheAnalyzerStoredInTheIndex(string analyzer)
    {
        using var temp = new TempDirectory();
        PartA.BuildIndex(temp.Path, temp.Combine("index"), 0, 3, new IndexBuildOptions { Settings = Mrc.Retrieval.Settings.IndexSettings.Bare(analyzer), ChunkSize = 0 });
        using var host = IndexHost.Open(temp.Combine("index"));
        var question = PartA.All.Articles[1].Paragraphs[0].Questions[0];

        var result = new PassageSearcher(host, ScoringSettings.LuceneDefaults).Search(question.Question, 10);

        Assert.Equal(analyzer, host.Metadata.Analyzer);
        Assert.Contains(result.Hits, h => h.Passage.DocumentId == "1-0");
    }
}
