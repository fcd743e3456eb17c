using Mrc.Retrieval.Indexing;
using Mrc.Retrieval.Lifecycle;
using Mrc.Retrieval.Search;
using Mrc.Retriever.Tests.Support;

namespace Mrc.Retriever.Tests;

public class ConcurrencyTests
{
    [Fact]
    public void Search_ManyInParallelDuringRepeatedSwaps_NeverFailsAndSeesWholeGenerations()
    {
        using var temp = new TempDirectory();
        string index = temp.Combine("index");
        var a = CorpusIngest.Load(PartA.WriteArticles(temp.Path, 0, 4));
        var b = CorpusIngest.Load(PartA.WriteArticles(temp.Path, 4, 4));
        var options = new IndexBuildOptions { ChunkSize = 0 };
        IndexBuilder.Build(a, index, options);
        using var host = IndexHost.Open(index);
        var searcher = new PassageSearcher(host, ScoringSettings.Tuned);
        var queries = PartA.Articles(0, 8).Examples().Select(q => q.Question).ToList();
        var documentsOfA = a.Read().Select(d => d.TextSha256).ToHashSet();
        var documentsOfB = b.Read().Select(d => d.TextSha256).ToHashSet();

        // Dedicated threads, not thread-pool tasks: busy searchers on a loaded two-core machine would
        // starve the pool, and with it any timer or continuation the test relied on to stop them.
        const int Workers = 4, MaxSearchesPerWorker = 5000;
        int searches = 0, stop = 0;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var threads = Enumerable.Range(0, Workers).Select(worker => new Thread(() =>
        {
            try
            {
                for (int i = worker; Volatile.Read(ref stop) == 0 && i < MaxSearchesPerWorker * Workers; i += Workers)
                {
                    // A question about one corpus may match nothing in the other: an empty answer is fine, an error is not.
                    var result = searcher.Search(queries[i % queries.Count], 10);
                    // All hits of one search come from one generation: never a mix of the two corpora.
                    var documents = result.Hits.Select(h => h.Passage.DocumentSha256).ToList();
                    Assert.True(documents.All(documentsOfA.Contains) || documents.All(documentsOfB.Contains));
                    if (i % 7 == 0) Assert.Equal(8, searcher.BatchSearch(queries.GetRange(i % 100, 8), 3, 2).Count);
                    Interlocked.Increment(ref searches);
                }
            }
            catch (Exception e)
            {
                failures.Enqueue(e);
            }
        })).ToList();
        threads.ForEach(t => t.Start());

        for (int swap = 0; swap < 8; swap++)
        {
            IndexBuilder.Build(swap % 2 == 0 ? b : a, index, options);
            Assert.True(host.Reload());
            Thread.Sleep(20);
        }
        Volatile.Write(ref stop, 1);
        threads.ForEach(t => Assert.True(t.Join(TimeSpan.FromMinutes(2)), "a search thread did not finish"));

        Assert.Empty(failures);
        Assert.True(searches > 8, $"only {searches} searches ran during the swaps");
        Assert.Equal(a.Sha256, host.Metadata.CorpusSha256);
    }
}
