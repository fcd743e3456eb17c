using Mrc.Core.Pipeline;
using Mrc.Retrieval.Indexing;
using Mrc.Retrieval.Lifecycle;
using Mrc.Retrieval.Pipeline;
using Mrc.Retrieval.Search;
using Mrc.Retriever.Tests.Support;

namespace Mrc.Retriever.Tests;

/// <summary>The pipeline's in-process retriever is the one index it was opened over.</summary>
public sealed class InProcessRetrieverTests
{
    [Fact]
    public async Task SettingsNamingAServicesIndex_AreRefused_RatherThanSearchedHere()
    {
        using var temp = new TempDirectory();
        PartA.BuildIndex(temp.Path, temp.Combine("index"), 0, 1, new IndexBuildOptions { ChunkSize = 0 });
        using var host = IndexHost.Open(temp.Combine("index"));
        var retriever = new InProcessRetriever(new PassageSearcher(host, ScoringSettings.LuceneDefaults));
        string question = PartA.All.Articles[0].Paragraphs[0].Questions[0].Question;

        var error = await Assert.ThrowsAsync<ArgumentException>(() => retriever.RetrieveBatchAsync([question], new RetrievalSettings(3, Index: "wiki"), default));
        Assert.StartsWith("An index opened in this process has no name; 'wiki' names an index of a RetrieverService.", error.Message, StringComparison.Ordinal);

        var found = await retriever.RetrieveBatchAsync([question], new RetrievalSettings(3), default);
        Assert.NotEmpty(found.Single().Passages);
    }
}
