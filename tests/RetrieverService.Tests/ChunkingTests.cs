using Mrc.Core.Data;
using Mrc.Retrieval.Indexing;
using Mrc.Retriever.Tests.Support;

namespace Mrc.Retriever.Tests;

public class ChunkingTests
{
    static IEnumerable<string> Contexts() => PartA.All.Articles.SelectMany(a => a.Paragraphs).Select(p => p.Context).Distinct();

    [Theory]
    [InlineData(200, 50)]
    [InlineData(400, 0)]
    [InlineData(97, 30)]
    public void Split_PartAParagraphs_EveryRangeIsExactTrimmedAndWithinSize(int size, int overlap)
    {
        foreach (var text in Contexts())
        {
            var ranges = PassageChunker.Split(text, size, overlap);
            Assert.NotEmpty(ranges);
            foreach (var range in ranges)
            {
                Assert.InRange(range.Length, 1, size);
                string passage = text.Substring(range.Start, range.Length);
                Assert.False(char.IsWhiteSpace(passage[0]) || char.IsWhiteSpace(passage[^1]), $"'{passage}' is not trimmed");
            }
        }
    }

    [Fact]
    public void Split_PartAParagraphs_ConsecutivePassagesOverlapAndCoverTheWholeText()
    {
        foreach (var text in Contexts())
        {
            var ranges = PassageChunker.Split(text, 200, 50);
            Assert.Equal(text.Length - text.TrimStart().Length, ranges[0].Start);
            Assert.Equal(text.TrimEnd().Length, ranges[^1].End);
            for (int i = 1; i < ranges.Count; i++)
            {
                Assert.True(ranges[i].Start > ranges[i - 1].Start, "passages must move forward");
                // No gap except whitespace between them.
                if (ranges[i].Start > ranges[i - 1].End)
                    Assert.True(string.IsNullOrWhiteSpace(text[ranges[i - 1].End..ranges[i].Start]));
            }
        }
    }

    [Fact]
    public void Split_PartAParagraphs_CutsMostlyAtSentenceEnds()
    {
        int cuts = 0, atSentenceEnd = 0;
        foreach (var text in Contexts())
        {
            var ranges = PassageChunker.Split(text, 300, 60);
            foreach (var range in ranges.SkipLast(1))
            {
                cuts++;
                if (text[range.End - 1] is '.' or '?' or '!') atSentenceEnd++;
            }
        }
        Assert.True(cuts > 100, $"only {cuts} cuts: the test corpus should need splitting");
        Assert.True(atSentenceEnd >= cuts * 0.9, $"{atSentenceEnd} of {cuts} cuts at a sentence end");
    }

    [Fact]
    public void Split_WithOverlap_NextPassageStartsAtASentenceInsideThePrevious()
    {
        string text = PartA.All.Articles[0].Paragraphs[0].Context;
        var ranges = PassageChunker.Split(text, 150, 60);
        Assert.True(ranges.Count > 1);
        for (int i = 1; i < ranges.Count; i++)
        {
            Assert.True(ranges[i].Start < ranges[i - 1].End, "consecutive passages share text");
            Assert.True(char.IsWhiteSpace(text[ranges[i].Start - 1]), "a passage starts at a word");
        }
    }

    [Fact]
    public void Split_WithSizeZeroOrLongerThanText_ReturnsTheWholeTrimmedText()
    {
        const string text = "  서울은 대한민국의 수도이다.\n";
        Assert.Equal([new TextRange(2, text.TrimEnd().Length)], PassageChunker.Split(text, 0, 0));
        Assert.Equal([new TextRange(2, text.TrimEnd().Length)], PassageChunker.Split(text, 1000, 100));
        Assert.Empty(PassageChunker.Split(" \n ", 10, 0));
    }

    [Fact]
    public void Split_WithoutSpaces_NeverCutsASurrogatePair()
    {
        string text = string.Concat(Enumerable.Repeat("가😀", 100));
        foreach (var range in PassageChunker.Split(text, 7, 2))
        {
            Assert.False(char.IsLowSurrogate(text[range.Start]));
            Assert.False(char.IsHighSurrogate(text[range.End - 1]));
        }
    }

    [Fact]
    public void Split_WithOverlapNotSmallerThanSize_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PassageChunker.Split("텍스트", 10, 10));
    }

    [Fact]
    public void Passages_OfAPartADocument_KeepIdTitleAndOffsetsIntoTheDocument()
    {
        var paragraph = PartA.All.Articles[3].Paragraphs[0];
        var document = new CorpusDocument("3-0", PartA.All.Articles[3].Title, paragraph.Context);
        var ingested = new IngestedDocument(document, CorpusIngest.TextSha256(document.Text));
        var passages = IndexBuilder.Passages(ingested, new IndexBuildOptions { ChunkSize = 120, ChunkOverlap = 30 }).ToList();

        Assert.True(passages.Count > 1);
        for (int n = 0; n < passages.Count; n++)
        {
            var p = passages[n];
            Assert.Equal($"3-0#{n}", p.Id);
            Assert.Equal("3-0", p.DocumentId);
            Assert.Equal(document.Title, p.Title);
            Assert.Equal(document.Text.Substring(p.StartChar, p.EndChar - p.StartChar), p.Text);
        }
    }
}
