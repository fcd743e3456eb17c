using Mrc.Retrieval.Indexing;
using Mrc.Retrieval.Lifecycle;
using Mrc.Retrieval.Search;
using Mrc.Retriever.Tests.Support;

namespace Mrc.Retriever.Tests;

public class AtomicRebuildTests
{
    static string FirstQuestion(int article) => PartA.All.Articles[article].Paragraphs[0].Questions[0].Question;

    [Fact]
    public void Rebuild_WhileASearchHoldsTheOldGeneration_SwapsAndLetsTheOldOneFinish()
    {
        using var temp = new TempDirectory();
        string index = temp.Combine("index");
        var first = PartA.BuildIndex(temp.Path, index, 0, 3);
        using var host = IndexHost.Open(index);
        var searcher = new PassageSearcher(host, ScoringSettings.LuceneDefaults);

        using (var oldLease = host.Acquire())
        {
            var second = PartA.BuildIndex(temp.Path, index, 3, 3);
            Assert.True(host.Reload());

            // The lease still searches the generation it was taken on.
            Assert.Equal(first.Metadata, oldLease.Index.Metadata);
            Assert.True(oldLease.Searcher.Search(new Lucene.Net.Search.MatchAllDocsQuery(), 1).TotalHits > 0);
            Assert.Equal(second.Metadata, host.Metadata);
        }

        var newTitles = PartA.Articles(3, 3).Articles.Select(a => a.Title).ToList();
        Assert.All(searcher.Search(FirstQuestion(3), 10).Hits, hit => Assert.Contains(hit.Passage.Title, newTitles));
        Assert.False(host.Reload(), "nothing newer to swap in");
    }

    [Fact]
    public void Rebuild_FailingBeforePublish_LeavesTheOldIndexIntactAndNoLeftovers()
    {
        using var temp = new TempDirectory();
        string index = temp.Combine("index");
        var first = PartA.BuildIndex(temp.Path, index, 0, 3);
        var pointer = File.ReadAllText(Path.Combine(index, IndexLayout.PointerFileName));
        var corpus = CorpusIngest.Load(PartA.WriteArticles(temp.Path, 3, 3));

        // Fails after every passage has been written and committed to the new generation's folder.
        var failing = new ThrowingProgress("committing");
        Assert.Throws<IOException>(() => IndexBuilder.Build(corpus, index, new IndexBuildOptions { ChunkSize = 0 }, failing));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Throws<OperationCanceledException>(() => IndexBuilder.Build(corpus, index, new IndexBuildOptions { ChunkSize = 0 }, null, cancelled.Token));

        Assert.Equal(pointer, File.ReadAllText(Path.Combine(index, IndexLayout.PointerFileName)));
        Assert.Equal([IndexLayout.PointerFileName, Path.GetFileName(first.GenerationPath)],
            Directory.EnumerateFileSystemEntries(index).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        using var host = IndexHost.Open(index);
        Assert.Equal(first.Metadata, host.Metadata);
        Assert.NotEmpty(new PassageSearcher(host, ScoringSettings.LuceneDefaults).Search(FirstQuestion(0), 3).Hits);
    }

    [Fact]
    public void Rebuild_KeepsTheLiveAndThePreviousGenerationOnly()
    {
        using var temp = new TempDirectory();
        string index = temp.Combine("index");
        PartA.BuildIndex(temp.Path, index, 0, 1);
        var second = PartA.BuildIndex(temp.Path, index, 1, 1);
        var third = PartA.BuildIndex(temp.Path, index, 2, 1);

        var generations = Directory.EnumerateDirectories(index).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal([Path.GetFileName(second.GenerationPath), Path.GetFileName(third.GenerationPath)], generations);
        Assert.Equal(Path.GetFileName(third.GenerationPath), IndexLayout.ReadCurrent(index)?.Name);
    }

    [Fact]
    public void Build_WhileAnotherBuildHoldsTheFolder_FailsFastAndLeavesTheLiveIndex()
    {
        using var temp = new TempDirectory();
        string index = temp.Combine("index");
        var first = PartA.BuildIndex(temp.Path, index, 0, 1);
        var corpus = CorpusIngest.Load(PartA.WriteArticles(temp.Path, 1, 1));

        using (IndexLayout.LockForBuild(index))
        {
            var error = Assert.Throws<IndexBusyException>(() => IndexBuilder.Build(corpus, index, new IndexBuildOptions { ChunkSize = 0 }));
            Assert.Contains("Another build", error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(Path.GetFileName(first.GenerationPath), IndexLayout.ReadCurrent(index)?.Name);
        var second = IndexBuilder.Build(corpus, index, new IndexBuildOptions { ChunkSize = 0 });
        Assert.Equal(Path.GetFileName(second.GenerationPath), IndexLayout.ReadCurrent(index)?.Name);
    }

    [Fact]
    public void Open_WithNoIndexBuilt_SaysHowToBuildOne()
    {
        using var temp = new TempDirectory();
        var error = Assert.Throws<IndexUnavailableException>(() => IndexHost.Open(temp.Combine("nothing-here")));
        Assert.Contains("mrc index build", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("segments")]
    [InlineData("metadata")]
    [InlineData("generation")]
    public void Open_WithCorruptIndex_ThrowsIndexUnavailableSayingRebuild(string damage)
    {
        using var temp = new TempDirectory();
        string index = temp.Combine("index");
        var built = PartA.BuildIndex(temp.Path, index, 0, 1);
        Damage(built.GenerationPath, damage);

        var error = Assert.Throws<IndexUnavailableException>(() => IndexHost.Open(index));
        Assert.Contains("rebuild", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reload_WhenTheNewGenerationIsCorrupt_KeepsServingTheOldOne()
    {
        using var temp = new TempDirectory();
        string index = temp.Combine("index");
        var first = PartA.BuildIndex(temp.Path, index, 0, 2);
        using var host = IndexHost.Open(index);
        var second = PartA.BuildIndex(temp.Path, index, 2, 2);
        Damage(second.GenerationPath, "segments");

        Assert.False(host.Reload());
        Assert.Equal(first.Metadata, host.Metadata);
        Assert.NotEmpty(new PassageSearcher(host, ScoringSettings.LuceneDefaults).Search(FirstQuestion(0), 3).Hits);
    }

    internal static void Damage(string generation, string what)
    {
        switch (what)
        {
            case "segments":
                foreach (var file in Directory.EnumerateFiles(generation, "segments*")) File.WriteAllBytes(file, [1, 2, 3, 4]);
                break;
            case "metadata":
                File.WriteAllText(Path.Combine(generation, IndexMetadata.FileName), "{ not json");
                break;
            default:
                Directory.Delete(generation, recursive: true);
                break;
        }
    }

    sealed class ThrowingProgress(string stage) : IProgress<IndexBuildProgress>
    {
        public void Report(IndexBuildProgress value)
        {
            if (value.Stage == stage) throw new IOException("disk full (simulated at " + stage + ")");
        }
    }
}
