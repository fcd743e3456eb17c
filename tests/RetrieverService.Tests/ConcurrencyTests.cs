using Mrc.Retriever.Indexing;
using Mrc.Retriever.Lifecycle;
using Mrc.Retriever.Search;
using Mrc.Retriever.Tests.Support;

namespace Mrc.Retriever.Tests;

public class ConcurrencyTests
{
    [Fact]
    public async Task Search_ManyInParallelDuringRepeatedSwaps_NeverFailsAndSeesWholeGenerations()
    {
        using var temp = new TempDirectory();
        string index = temp.Combine("index");
        string corpusA = PartA.WriteArticles(temp.Path, 0, 4), corpusB = PartA.WriteArticles(temp.Path, 4, 4);
        var a = CorpusIngest.Load(corpusA);
        var b = CorpusIngest.Load(corpusB);
        var options = new IndexBuildOptions { ChunkSize = 0 };
        IndexBuilder.Build(a, index, options);
        using var host = IndexHost.Open(index);
        var searcher = new PassageSearcher(host, ScoringSettings.LuceneDefaults);
        var queries = PartA.Articles(0, 8).Examples().Select(q => q.Question).ToList();
        var documentsOfA = a.Documents.Select(d => d.TextSha256).ToHashSet();
        var documentsOfB = b.Documents.Select(d => d.TextSha256).ToHashSet();

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        int searches = 0;
        var readers = Enumerable.Range(0, 6).Select(worker => Task.Run(() =>
        {
            for (int i = worker; !stop.IsCancellationRequested; i += 6)
            {
                // A question about one corpus may match nothing in the other: an empty answer is fine, an error is not.
                var result = searcher.Search(queries[i % queries.Count], 10);
                // All hits of one search come from one generation: never a mix of the two corpora.
                var documents = result.Hits.Select(h => h.Passage.DocumentSha256).ToList();
                Assert.True(documents.All(documentsOfA.Contains) || documents.All(documentsOfB.Contains));
                if (i % 7 == 0) Assert.Equal(8, searcher.BatchSearch(queries.GetRange(i % 100, 8), 3, 2).Count);
                Interlocked.Increment(ref searches);
            }
        })).ToList();

        for (int swap = 0; swap < 8; swap++)
        {
            IndexBuilder.Build(swap % 2 == 0 ? b : a, index, options);
            Assert.True(host.Reload());
            await Task.Delay(50);
        }
        await stop.CancelAsync();
        await Task.WhenAll(readers);

        Assert.True(searches > 50, $"only {searches} searches ran during the swaps");
        Assert.Equal(a.Sha256, host.Metadata.CorpusSha256);
    }
}
