using System.Text.Json;
using Mrc.Retrieval.Indexing;
using Mrc.Retriever.Tests.Support;
using Mrc.Tests;

namespace Mrc.Retriever.Tests;

public class IngestTests
{
    [Fact]
    public void Load_PartA_KeepsEachDistinctContextOnceAndCountsTheRepeats()
    {
        var corpus = CorpusIngest.Load(TestData.KorQuadPartA);
        var pass = corpus.Read();
        var documents = pass.ToList();

        int paragraphs = PartA.All.Articles.Sum(a => a.Paragraphs.Count);
        int distinct = PartA.All.Articles.SelectMany(a => a.Paragraphs).Select(p => p.Context).Distinct().Count();
        Assert.Equal(862, paragraphs);
        Assert.Equal(distinct, documents.Count);
        Assert.Equal(distinct, pass.Kept);
        Assert.Equal(paragraphs - distinct, pass.DuplicatesSkipped);
        Assert.True(pass.DuplicatesSkipped > 0, "part a repeats some contexts");
        Assert.Equal(documents.Count, documents.Select(d => d.Document.Text).Distinct().Count());
        Assert.Equal("KorQuAD_v1.0_dev.part-a.json", corpus.Source);
        Assert.Matches("^[0-9a-f]{64}$", corpus.Sha256);
    }

    [Fact]
    public void Load_JsonlWithRepeatedTexts_KeepsTheFirstOfEach()
    {
        using var temp = new TempDirectory();
        var contexts = PartA.All.Articles.SelectMany(a => a.Paragraphs).Select(p => p.Context).Distinct().Take(3).ToList();
        string path = temp.Combine("corpus.jsonl");
        var lines = new[]
        {
            new { id = "a", title = "첫째", text = contexts[0] },
            new { id = "b", title = "둘째", text = contexts[1] },
            new { id = "c", title = "셋째", text = contexts[0] },
            new { id = "d", title = "넷째", text = contexts[2] },
            new { id = "e", title = "다섯째", text = contexts[1] },
        }.Select(o => JsonSerializer.Serialize(o));
        File.WriteAllLines(path, lines);

        var pass = CorpusIngest.Load(path).Read();

        Assert.Equal(["a", "b", "d"], pass.Select(d => d.Document.Id));
        Assert.Equal(2, pass.DuplicatesSkipped);
    }

    [Fact]
    public void Build_WikipediaDocumentsWithDuplicates_IndexesEachTextOnce()
    {
        using var temp = new TempDirectory();
        var paragraphs = PartA.All.Articles[1].Paragraphs;
        var wiki = new Dictionary<string, object>
        {
            ["0"] = new { text = paragraphs[0].Context, title = PartA.All.Articles[1].Title, document_id = 10 },
            ["1"] = new { text = paragraphs[1].Context, title = PartA.All.Articles[1].Title, document_id = 11 },
            ["2"] = new { text = paragraphs[0].Context, title = "중복", document_id = 12 },
        };
        string path = temp.Combine("wikipedia_documents.json");
        File.WriteAllText(path, JsonSerializer.Serialize(wiki));

        var result = IndexBuilder.Build(CorpusIngest.Load(path), temp.Combine("index"), new IndexBuildOptions { ChunkSize = 0 });

        Assert.Equal(2, result.Metadata.DocumentCount);
        Assert.Equal(2, result.Metadata.PassageCount);
        Assert.Equal(1, result.Metadata.DuplicatesSkipped);
    }
}
