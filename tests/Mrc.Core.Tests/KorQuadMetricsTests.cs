using Mrc.Core.Metrics;

namespace Mrc.Core.Tests;

/// <summary>
/// Hand-checked cases for each step of the official KorQuAD 1.0 normalisation and the
/// character-level F1 arithmetic.
/// </summary>
public class KorQuadMetricsTests
{
    [Theory]
    [InlineData("'서울'", "서울")]
    [InlineData("\"서울\"", "서울")]
    [InlineData("《토지》", "토지")]
    [InlineData("<토지>", "토지")]
    [InlineData("〈토지〉", "토지")]
    [InlineData("(토지)", "토지")]
    [InlineData("‘토지’", "토지")]
    public void Normalize_ReplacesEachBracketAndQuoteBySpace(string input, string expected) =>
        Assert.Equal(expected, KorQuadMetrics.Normalize(input));

    [Fact]
    public void Normalize_ReplacedCharactersSeparateWords() =>
        Assert.Equal("한국 전쟁", KorQuadMetrics.Normalize("한국(전쟁)"));

    [Fact]
    public void Normalize_LowerCasesLatinLetters() =>
        Assert.Equal("kbs 뉴스", KorQuadMetrics.Normalize("KBS 뉴스"));

    [Fact]
    public void Normalize_DeletesAsciiPunctuationWithoutSpacing() =>
        Assert.Equal("1950625", KorQuadMetrics.Normalize("1950.6.25"));

    [Fact]
    public void Normalize_KeepsNonAsciiPunctuation() =>
        Assert.Equal("1·2", KorQuadMetrics.Normalize("1·2"));

    [Fact]
    public void Normalize_SqueezesAndTrimsWhitespaceIncludingPythonOnlySeparators() =>
        Assert.Equal("a b c d", KorQuadMetrics.Normalize("  a \t b\u3000\u00a0c\u001cd \n"));

    [Fact]
    public void Normalize_LowerCasesLikePython_DottedCapitalIAndFinalSigma()
    {
        Assert.Equal("i\u0307", KorQuadMetrics.Normalize("\u0130"));
        Assert.Equal("οδος", KorQuadMetrics.Normalize("ΟΔΟΣ"));
        Assert.Equal("σα", KorQuadMetrics.Normalize("ΣΑ"));
        Assert.Equal("σ", KorQuadMetrics.Normalize("Σ"));
    }

    [Fact]
    public void ExactMatch_IgnoresSpacingPunctuationAndQuotes()
    {
        Assert.True(KorQuadMetrics.ExactMatch("《토지》 ", "토지"));
        Assert.True(KorQuadMetrics.ExactMatch("1950. 6. 25.", "1950 6 25"));
        Assert.False(KorQuadMetrics.ExactMatch("서울 특별시", "서울특별시"));
    }

    [Fact]
    public void F1_IgnoresSpacesBetweenTokens()
    {
        Assert.False(KorQuadMetrics.ExactMatch("서울 특별시", "서울특별시"));
        Assert.Equal(1.0, KorQuadMetrics.F1("서울 특별시", "서울특별시"));
    }

    [Fact]
    public void F1_CountsCharactersAsAMultiset()
    {
        // prediction 서울시 (3 chars), truth 서울특별시 (5 chars): common 서,울,시 = 3.
        // precision 3/3, recall 3/5, F1 = 2·1·0.6/1.6 = 0.75.
        Assert.Equal(0.75, KorQuadMetrics.F1("서울시", "서울특별시"), 15);
        // Repeated characters only match as often as they occur in both: 가가가 vs 가나 → 1 common.
        // precision 1/3, recall 1/2, F1 = 2·(1/3)·(1/2)/(5/6) = 0.4.
        Assert.Equal(0.4, KorQuadMetrics.F1("가가가", "가나"), 15);
    }

    [Fact]
    public void F1_IsZeroWithoutCommonCharactersOrForEmptyAnswers()
    {
        Assert.Equal(0, KorQuadMetrics.F1("부산", "서울"));
        Assert.Equal(0, KorQuadMetrics.F1("", "서울"));
        Assert.Equal(0, KorQuadMetrics.F1("...", "서울"));
    }

    [Fact]
    public void F1_CountsCodePointsNotUtf16Units()
    {
        // 𝐀 is one code point (two UTF-16 units): precision 1/2, recall 1/1 → F1 2/3.
        Assert.Equal(2.0 / 3.0, KorQuadMetrics.F1("𝐀𝐁", "𝐀"), 15);
    }

    [Fact]
    public void Evaluate_TakesBestGoldAnswerAndAveragesOverEveryQuestion()
    {
        var questions = new (string, IReadOnlyList<string>)[]
        {
            ("q1", ["서울특별시", "서울"]),
            ("q2", ["1950년"]),
            ("q3", ["부산"]),
        };
        var predictions = new Dictionary<string, string> { ["q1"] = "서울", ["q2"] = "1950" };

        var result = KorQuadMetrics.Evaluate(questions, predictions);

        // q1: EM 1 (second gold), F1 1; q2: EM 0, F1 2·1·0.8/1.8 = 8/9; q3 unanswered: 0.
        Assert.Equal(100.0 * 1 / 3, result.ExactMatch, 12);
        Assert.Equal(100.0 * (1 + 8.0 / 9) / 3, result.F1, 12);
        Assert.Equal(3, result.QuestionCount);
        Assert.Equal(["q3"], result.Unanswered);
    }

    [Fact]
    public void Evaluate_IgnoresPredictionsForUnknownIds()
    {
        var result = KorQuadMetrics.Evaluate(
            [("q1", (IReadOnlyList<string>)["서울"])],
            new Dictionary<string, string> { ["q1"] = "서울", ["other"] = "부산" });

        Assert.Equal(100.0, result.ExactMatch);
    }

    [Theory]
    [InlineData(100.0, 100.0, "{\"exact_match\": 100.0, \"f1\": 100.0}")]
    [InlineData(0.0, 12.5, "{\"exact_match\": 0.0, \"f1\": 12.5}")]
    [InlineData(44.9706457925636, 60.75362536993875, "{\"exact_match\": 44.9706457925636, \"f1\": 60.75362536993875}")]
    [InlineData(0.00001, 1e-7, "{\"exact_match\": 1e-05, \"f1\": 1e-07}")]
    public void OfficialJson_PrintsFloatsAsPythonReprDoes(double em, double f1, string expected) =>
        Assert.Equal(expected, new EvaluationResult(em, f1, 1, []).ToOfficialJson());
}
