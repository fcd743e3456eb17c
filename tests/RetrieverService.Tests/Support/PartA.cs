using Mrc.Core.Data;
using Mrc.Retrieval.Indexing;
using Mrc.Tests;

namespace Mrc.Retriever.Tests.Support;

/// <summary>Small real Korean corpora cut from KorQuAD 1.0 dev part a, written where a test wants them.</summary>
public static class PartA
{
    static readonly Lazy<SquadDataset> Dataset = new(() => SquadJson.Load(TestData.KorQuadPartA));

    public static SquadDataset All => Dataset.Value;

    /// <summary>Articles [first, first+count) as their own KorQuAD file.</summary>
    public static SquadDataset Articles(int first, int count) =>
        All with { Articles = All.Articles.Skip(first).Take(count).ToList() };

    public static string WriteArticles(string directory, int first, int count)
    {
        string path = Path.Combine(directory, $"part-a-{first}-{count}.json");
        SquadJson.Save(Articles(first, count), path);
        return path;
    }

    /// <summary>Indexes articles [first, first+count) into <paramref name="indexDirectory"/> with paragraphs as passages.</summary>
    public static IndexBuildResult BuildIndex(string workDirectory, string indexDirectory, int first, int count, IndexBuildOptions? options = null)
    {
        var corpus = CorpusIngest.Load(WriteArticles(workDirectory, first, count));
        return IndexBuilder.Build(corpus, indexDirectory, options ?? new IndexBuildOptions { ChunkSize = 0 });
    }
}
