using Mrc.Core.Data;
using Mrc.Tests;

namespace Mrc.Reader.Tests.Reference;

/// <summary>Every context and every question of KorQuAD 1.0 dev part a, in file order.</summary>
internal static class PartATexts
{
    static readonly Lazy<(IReadOnlyList<string> Contexts, IReadOnlyList<string> All)> Texts = new(() =>
    {
        var dataset = SquadJson.Load(TestData.KorQuadPartA);
        var contexts = dataset.Articles.SelectMany(a => a.Paragraphs).Select(p => p.Context).ToList();
        var questions = dataset.Examples().Select(e => e.Question);
        return (contexts, [.. contexts.Concat(questions)]);
    });

    public static IReadOnlyList<string> Contexts => Texts.Value.Contexts;

    public static IReadOnlyList<string> All => Texts.Value.All;

    /// <summary>Strings that exercise whitespace, normalization and byte-level edge cases.</summary>
    public static readonly string[] EdgeCases =
    [
        "", " ", "   ", "a", " leading", "trailing ", "two  spaces   three", "tab\tnew\nline\r\nend", "\n\nstart",
        "이순신은 조선 중기의 무신이다.", "  유희열이 'K팝스타3’에서  ", "emoji 😀😀 𝒳 end", "㈜삼성 ㎐ Ⅱ ①…", "ｆｕｌｌ　ｗｉｄｔｈ １２３",
        "don't we'll they're I'M 's", "x\u200By\u00A0z\u3000w", "ﬁ ligature Σσς", "e\u0301 cafe\u0301 한\u0301", "ᄒ\u1161\u11AB 조합형",
        "숫자 1,234.5원과 3.14", "~!@#$%^&*()_+", "a\u0000b", "\uFEFFbom", "중국어 中文字符 日本語",
    ];
}
