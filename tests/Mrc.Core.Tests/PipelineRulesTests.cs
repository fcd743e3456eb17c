using Mrc.Core.Data;
using Mrc.Core.Pipeline;
using Mrc.Core.Text;

namespace Mrc.Core.Tests;

/// <summary>The rules defined once in Mrc.Core, on hand-checked examples.</summary>
public sealed class PipelineRulesTests
{
    // "서울은 한국의 수도이다. 부산은 항구 도시이다." — the answer "부산" starts at code point 14.
    const string Paragraph = "서울은 한국의 수도이다. 부산은 항구 도시이다.";
    static readonly QuestionExample Question = new("q1", "항구 도시는?", [new GoldAnswer("부산", 14)], Paragraph);

    static RetrievedPassage Piece(int start, int end, string? text = null) =>
        new("p", "d", "", text ?? Paragraph[start..end], 1, 1, start, end);

    [Fact]
    public void Hit_WhenAPieceOfTheGoldParagraphCoversTheAnswerSpan()
    {
        Assert.True(RetrievalHits.IsHit(Piece(14, Paragraph.Length), Question));
        Assert.True(RetrievalHits.IsHit(Piece(0, Paragraph.Length), Question));
    }

    [Fact]
    public void Miss_WhenThePieceHoldsTheAnswerTextButNotAtTheGoldSpan()
    {
        // Same text "부산" elsewhere: a passage that is not the gold paragraph's piece at its offsets.
        var elsewhere = new RetrievedPassage("x", "other", "", "부산은 항구 도시이다.", 1, 1, 0, 12);
        Assert.False(RetrievalHits.IsHit(elsewhere, Question));
        Assert.False(RetrievalHits.IsHit(Piece(0, 13), Question)); // first sentence only
    }

    [Fact]
    public void Hit_WhenThePassageContainsTheWholeGoldParagraph()
    {
        var article = new RetrievedPassage("a", "article", "", "머리말. " + Paragraph + " 맺음말.", 1, 1, 0, 0);
        Assert.True(RetrievalHits.IsHit(article, Question));
    }

    [Fact]
    public void AnswerStartInCodePoints_IsConvertedAfterAnAstralCharacter()
    {
        const string context = "😀 부산";                      // "부산" at code point 2, UTF-16 index 3
        var question = new QuestionExample("q", "?", [new GoldAnswer("부산", 2)], context);
        Assert.True(RetrievalHits.IsHit(new RetrievedPassage("p", "d", "", "부산", 1, 1, 3, 5), question));
        Assert.Equal(3, TextOffsets.ToUtf16(context, 2));
        Assert.Equal(2, TextOffsets.ToCodePoints(context, 3));
    }

    [Fact]
    public void OpenDomainQuestion_HitsOnTheAnswerText()
    {
        var question = new QuestionExample("q", "?", [new GoldAnswer("부산", -1)]);
        Assert.Equal(RetrievalRule.AnswerText, RetrievalHits.RuleFor(question));
        Assert.Equal(2, RetrievalHits.FirstHitRank([Piece(0, 13), Piece(14, Paragraph.Length)], question));
        Assert.Equal(0, RetrievalHits.FirstHitRank([Piece(0, 13)], question));
    }

    [Theory]
    [InlineData("1-10", "1-2")]
    [InlineData("10", "9")]
    [InlineData("1.10", "1.9")]
    [InlineData("v2", "1")]
    [InlineData("1.0", "1")]
    public void Versions_OrderNumericallyPartByPart(string newer, string older)
    {
        Assert.True(VersionComparer.Instance.Compare(newer, older) > 0);
        Assert.True(VersionComparer.Instance.Compare(older, newer) < 0);
        Assert.Equal(newer, new[] { older, newer }.Max(VersionComparer.Instance));
    }

    [Theory]
    [InlineData(0, 30, 0f, PassageMode.Separate, "n_best")]
    [InlineData(21, 30, 0f, PassageMode.Separate, "n_best")]
    [InlineData(5, 0, 0f, PassageMode.Separate, "max_answer_length")]
    [InlineData(5, 30, -1f, PassageMode.Separate, "retriever_weight")]
    [InlineData(5, 30, 0.5f, PassageMode.Concat, "SEPARATE")]
    public void ReadSettings_OutOfRange_NameTheSetting(int nBest, int maxAnswerLength, float weight, PassageMode mode, string named)
    {
        var error = Assert.Throws<InvalidReadSettingsException>(() => new ReadSettings(mode, nBest, maxAnswerLength, weight).Validate());
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadSettings_LongerAnswerThanTheWindow_IsRefused()
    {
        Assert.Throws<InvalidReadSettingsException>(() => new ReadSettings(MaxAnswerLength: 400).Validate(longestAnswer: 384));
        Assert.Equal(new ReadSettings(), new ReadSettings().Validate(longestAnswer: 384));
    }

    [Fact]
    public void NBestJson_KeepsEveryFieldUnderItsSnakeCaseName()
    {
        var answers = new[] { new NBestAnswer("부산", 0.75, 3.5f, "p-1", 14, 16) };
        var json = NBestJson.Serialize(answers);
        Assert.Equal("""[{"text":"부산","probability":0.75,"score":3.5,"passage_id":"p-1","start_char":14,"end_char":16}]""", json);
        Assert.Equal(answers, NBestJson.Parse(json));
    }

    [Fact]
    public void GoldAnswersJson_KeepsPositions_AndReadsPlainStrings()
    {
        var answers = new[] { new GoldAnswer("부산", 14), new GoldAnswer("서울", -1) };
        var json = GoldAnswersJson.Serialize(answers);
        Assert.Equal("""[{"text":"부산","answer_start":14},{"text":"서울"}]""", json);
        Assert.Equal(answers, GoldAnswersJson.Parse(json));
        Assert.Equal([new GoldAnswer("부산", -1)], GoldAnswersJson.Parse("""["부산"]"""));
    }
}
