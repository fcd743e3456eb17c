using Mrc.Reading.Inference;
using Mrc.Reader.Tests.Support;
using Mrc.Core.Pipeline;

namespace Mrc.Reader.Tests;

/// <summary>Several passages per question, separate and concat, retriever-score fusion.</summary>
public class ReaderEngineTests
{
    [Fact]
    public async Task Read_Separate_CutsEveryAnswerFromItsPassage()
    {
        await using var reader = new TinyReader(batching: false);
        var passages = reader.Paragraphs.Take(3).Select((p, i) => new PassageInput($"p{i}", p.Context)).ToList();

        var answers = await reader.Engine.ReadAsync(reader.Paragraphs[0].Questions[0].Question, passages, new ReadSettings(NBest: 10), CancellationToken.None);

        Assert.Equal(10, answers.Count);
        Assert.All(answers, a => Assert.Equal(passages[a.PassageIndex].Text[a.StartChar..a.EndChar], a.Text));
        Assert.All(answers, a => Assert.Equal($"p{a.PassageIndex}", a.PassageId));
        Assert.Equal(answers.OrderByDescending(a => a.Score).Select(a => a.Score), answers.Select(a => a.Score));
        Assert.Equal(answers.Count, answers.Select(a => (a.PassageIndex, a.StartChar, a.EndChar)).Distinct().Count());
    }

    [Fact]
    public async Task Read_Concat_GivesOffsetsIntoTheRightPassage()
    {
        await using var reader = new TinyReader(batching: false);
        var passages = reader.Paragraphs.Take(3).Select((p, i) => new PassageInput($"p{i}", p.Context)).ToList();

        var answers = await reader.Engine.ReadAsync(reader.Paragraphs[1].Questions[0].Question, passages,
            new ReadSettings(PassageMode.Concat, NBest: 20, MaxAnswerLength: 10), CancellationToken.None);

        Assert.NotEmpty(answers);
        Assert.All(answers, a => Assert.Equal(passages[a.PassageIndex].Text[a.StartChar..a.EndChar], a.Text));
    }

    [Fact]
    public async Task Read_WithLargeRetrieverWeight_PrefersTheTopRetrievedPassage()
    {
        await using var reader = new TinyReader(batching: false);
        var question = reader.Paragraphs[0].Questions[0].Question;
        var passages = reader.Paragraphs.Take(3).Select((p, i) => new PassageInput($"p{i}", p.Context, RetrieverScore: i == 2 ? 1000 : 0)).ToList();

        var answers = await reader.Engine.ReadAsync(question, passages, new ReadSettings(NBest: 5, RetrieverWeight: 1), CancellationToken.None);

        Assert.All(answers, a => Assert.Equal("p2", a.PassageId));
    }

    [Fact]
    public async Task Read_WithStripParticles_ShortensAnswersEndingInAParticle()
    {
        await using var reader = new TinyReader(batching: false);
        var passages = reader.Paragraphs.Take(2).Select((p, i) => new PassageInput($"p{i}", p.Context)).ToList();
        var question = reader.Paragraphs[0].Questions[0].Question;

        var plain = await reader.Engine.ReadAsync(question, passages, new ReadSettings(NBest: 20), CancellationToken.None);
        var stripped = await reader.Engine.ReadAsync(question, passages, new ReadSettings(NBest: 20, StripParticles: true), CancellationToken.None);

        Assert.All(stripped, a => Assert.Equal(passages[a.PassageIndex].Text[a.StartChar..a.EndChar], a.Text));
        Assert.Equal(plain[0].StartChar, stripped[0].StartChar);
        Assert.Equal(KoreanParticles.Strip(plain[0].Text), stripped[0].Text);
    }
}
