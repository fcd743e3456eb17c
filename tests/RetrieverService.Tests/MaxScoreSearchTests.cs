using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;
using Mrc.Retrieval.Analysis;
using Mrc.Retrieval.Indexing;
using Mrc.Retrieval.Lifecycle;
using Mrc.Retrieval.Search;
using Mrc.Retrieval.Settings;
using Mrc.Retriever.Tests.Support;

namespace Mrc.Retriever.Tests;

/// <summary>
/// MaxScore pruning against Lucene's own exhaustive search of the same query on the same reader
/// (the reference): the same passages in the same order, scores equal up to float rounding, on
/// KorQuAD part a's questions with the default settings (three fields, unigrams and bigrams).
/// </summary>
public sealed class MaxScoreSearchTests : IDisposable
{
    readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    static readonly IReadOnlyList<string> Questions =
        [.. PartA.All.Examples().Where((_, i) => i % 5 == 0).Select(q => q.Question)];

    [Theory]
    [InlineData(1)]
    [InlineData(20)]
    [InlineData(2000)] // more than the passages: nothing can be pruned, every match is kept
    public void TwoSegments_SameTopKAsLucenesExhaustiveSearch(int k)
    {
        // Two indexes read as one: documents of the second segment come after the first's (DocBase).
        var first = PartA.BuildIndex(temp.Path, temp.Combine("a"), 0, 60);
        var second = PartA.BuildIndex(temp.Path, temp.Combine("b"), 60, 60);
        using var a = DirectoryReader.Open(FSDirectory.Open(first.GenerationPath));
        using var b = DirectoryReader.Open(FSDirectory.Open(second.GenerationPath));
        using var reader = new MultiReader(a, b);
        var settings = IndexSettings.Default;
        var scoring = new ScoringSettings(SimilarityKind.Bm25, settings.K1, settings.B);
        var searcher = new IndexSearcher(reader) { Similarity = scoring.CreateSimilarity() };
        using var analyzer = AnalyzerCatalog.Create(settings);
        Assert.Equal(2, reader.Leaves.Count);

        int compared = 0;
        foreach (string question in Questions)
        {
            var query = QueryBuilder.Build(analyzer, question, settings);
            if (query is null) continue;
            Assert.True(MaxScoreSearch.Applies(query, scoring));
            var expected = searcher.Search(query, k);
            var pruned = MaxScoreSearch.Search(searcher, query, scoring, k);
            AssertSameRanking(expected.ScoreDocs, pruned.ScoreDocs, question);
            Assert.InRange(pruned.TotalHits, pruned.ScoreDocs.Length, expected.TotalHits);
            compared++;
        }
        Assert.True(compared > Questions.Count * 0.99, $"{compared} of {Questions.Count} questions had a query");
    }

    [Fact]
    public void PassageSearcher_PrunesFromItsThreshold_WithTheSamePassages()
    {
        var built = PartA.BuildIndex(temp.Path, temp.Combine("index"), 0, 120);
        using var host = IndexHost.Open(temp.Combine("index"));
        var pruning = new PassageSearcher(host) { MaxScoreFrom = 0 };
        var exhaustive = new PassageSearcher(host) { MaxScoreFrom = int.MaxValue };
        Assert.True(built.Metadata.PassageCount < PassageSearcher.DefaultMaxScoreFrom, "the default searches an index this small exhaustively");
        Assert.False(new PassageSearcher(host).Prunes);
        Assert.True(pruning.Prunes);

        foreach (string question in Questions.Take(300))
        {
            var expected = exhaustive.Search(question, 20);
            var pruned = pruning.Search(question, 20);
            Assert.Equal(expected.Hits.Select(h => h.Passage.Id), pruned.Hits.Select(h => h.Passage.Id));
            Assert.Equal(expected.Hits.Select(h => h.Score), pruned.Hits.Select(h => h.Score), (x, y) => Math.Abs(x - y) <= 1e-4f * Math.Max(1, Math.Abs(x)));
            Assert.Equal(expected.Hits.Select(h => h.Rank), pruned.Hits.Select(h => h.Rank));
        }
    }

    [Fact]
    public void Applies_OnlyToBm25QueriesOfShouldTermClauses()
    {
        var bm25 = ScoringSettings.Tuned;
        var terms = new BooleanQuery { { new TermQuery(new Term("contents", "서울")), Occur.SHOULD } };
        var must = new BooleanQuery { { new TermQuery(new Term("contents", "서울")), Occur.MUST } };

        Assert.True(MaxScoreSearch.Applies(terms, bm25));
        Assert.False(MaxScoreSearch.Applies(terms, new ScoringSettings(SimilarityKind.Tfidf, 0, 0)));
        Assert.False(MaxScoreSearch.Applies(must, bm25));
        Assert.False(MaxScoreSearch.Applies(new BooleanQuery(), bm25));
    }

    /// <summary>Same documents in the same order, except that documents whose scores tie may trade places.</summary>
    static void AssertSameRanking(ScoreDoc[] expected, ScoreDoc[] actual, string question)
    {
        Assert.Equal(expected.Length, actual.Length);
        static bool Near(float x, float y) => Math.Abs(x - y) <= 1e-4f * Math.Max(1, Math.Abs(x));
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Near(expected[i].Score, actual[i].Score), $"{question}: rank {i + 1} scores {expected[i].Score} and {actual[i].Score}");
            if (expected[i].Doc == actual[i].Doc) continue;
            // A different document at this rank must tie with the expected one, and both lists hold it.
            Assert.Contains(actual, d => d.Doc == expected[i].Doc && Near(d.Score, expected[i].Score));
        }
    }
}
