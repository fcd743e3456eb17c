using System.Text.Json;
using Mrc.Core.Data;
using Mrc.Reader.Tests.Support;
using Mrc.Reading.Tokenization;
using Mrc.Tests;
using Xunit.Abstractions;

namespace Mrc.Reader.Tests;

/// <summary>
/// Our WordPiece against the real Hugging Face Rust tokenizer (Tokenizers.DotNet) on every context
/// and question of KorQuAD part a: ids equal, and every token's span reproduces its text.
/// </summary>
public class TokenizerParityTests(ITestOutputHelper output)
{
    static IReadOnlyList<string> PartATexts()
    {
        var dataset = SquadJson.Load(TestData.KorQuadPartA);
        var contexts = dataset.Articles.SelectMany(a => a.Paragraphs).Select(p => p.Context);
        var questions = dataset.Examples().Select(e => e.Question);
        return [.. contexts.Concat(questions)];
    }

    [Fact]
    public void Ids_WithMiniLmVocabLowerCased_EqualHuggingFaceOnEveryPartAText()
    {
        using var folder = new TempFolder();
        var vocab = MiniLmOnnx.VocabularyLines();
        var normalizer = new BertNormalizerOptions(Lowercase: true);
        AssertParity(folder, vocab, normalizer, expectedMinTexts: 5000);
    }

    [Fact]
    public void Ids_WithKoreanVocabCased_EqualHuggingFaceOnEveryPartAText()
    {
        using var folder = new TempFolder();
        var vocab = BuildKoreanVocab(PartATexts());
        var normalizer = new BertNormalizerOptions(Lowercase: false);
        AssertParity(folder, vocab, normalizer, expectedMinTexts: 5000);
    }

    [Fact]
    public void Ids_WithKoreanVocabAndAccentStrippingOnly_EqualHuggingFace()
    {
        using var folder = new TempFolder();
        var vocab = BuildKoreanVocab(PartATexts());
        // strip_accents without lower-casing: Hangul is decomposed into jamo (NFD), Latin keeps case.
        var normalizer = new BertNormalizerOptions(Lowercase: false, StripAccents: true);
        AssertParity(folder, vocab, normalizer, expectedMinTexts: 5000);
    }

    [Fact]
    public void Encode_OnEdgeCases_EqualsHuggingFace()
    {
        using var folder = new TempFolder();
        var vocab = MiniLmOnnx.VocabularyLines();
        string[] texts =
        [
            "", "   ", "a\u200Bb", "tab\tnew\nline\r\n", "İstanbul Ünïcödé ÀÉÎ", "中文字符测试",
            "emoji 😀 𝒳 end", "~<+=>|^`", "x" + new string('y', 120), "don't stop-me (now)!", "\u00A0nbsp\u3000ideographic",
            "control\u0001char\u0085nel", "ﬁ ligature Σσς", "１２３ ＡＢＣ",
        ];
        var tokenizer = WordPieceTokenizer.FromVocabFile(WriteVocab(folder, vocab), new BertNormalizerOptions());
        using var oracle = new Tokenizers.DotNet.Tokenizer(vocabPath: WriteTokenizerJson(folder, vocab, new BertNormalizerOptions()));
        foreach (var text in texts)
        {
            var expected = oracle.Encode(text).Select(i => (int)i).ToArray();
            Assert.True(expected.SequenceEqual(tokenizer.Encode(text).Ids), $"ids differ on \"{text}\"");
        }
    }

    [Fact]
    public void FromTokenizerJson_ReadsVocabAndNormalizer()
    {
        using var folder = new TempFolder();
        var vocab = MiniLmOnnx.VocabularyLines();
        var path = WriteTokenizerJson(folder, vocab, new BertNormalizerOptions(Lowercase: false, StripAccents: false));
        var tokenizer = WordPieceTokenizer.FromTokenizerJson(path);
        Assert.False(tokenizer.Normalizer.Lowercase);
        Assert.Equal(vocab.Length, tokenizer.VocabularySize);
        Assert.Equal(Array.IndexOf(vocab, "[CLS]"), tokenizer.ClsId);
    }

    void AssertParity(TempFolder folder, string[] vocab, BertNormalizerOptions normalizer, int expectedMinTexts)
    {
        var tokenizer = WordPieceTokenizer.FromVocabFile(WriteVocab(folder, vocab), normalizer);
        using var oracle = new Tokenizers.DotNet.Tokenizer(vocabPath: WriteTokenizerJson(folder, vocab, normalizer));
        var texts = PartATexts();
        Assert.True(texts.Count >= expectedMinTexts);
        var mismatches = new List<string>();
        long tokens = 0, unknown = 0, exactSpans = 0;
        foreach (var text in texts)
        {
            var expected = oracle.Encode(text).Select(i => (int)i).ToArray();
            var actual = tokenizer.Encode(text);
            if (!expected.SequenceEqual(actual.Ids))
            {
                if (mismatches.Count == 0)
                    output.WriteLine($"first mismatch: {text}\nhf:   {string.Join(" ", expected.Select(i => vocab[i]))}\nours: {string.Join(" ", actual.Ids.Select(i => vocab[i]))}");
                mismatches.Add(text.Length > 80 ? text[..80] : text);
                continue;
            }
            tokens += actual.Ids.Length;
            for (var k = 0; k < actual.Ids.Length; k++)
            {
                if (actual.Ids[k] == tokenizer.UnkId)
                {
                    unknown++;
                    continue;
                }
                var span = actual.Offsets[k];
                var piece = tokenizer.IdToToken(actual.Ids[k]);
                if (piece.StartsWith("##", StringComparison.Ordinal)) piece = piece[2..];
                var source = tokenizer.NormalizedForm(text[span.Start..span.End]);
                var shared = (k > 0 && Overlaps(actual.Offsets[k - 1], span)) || (k + 1 < actual.Ids.Length && Overlaps(actual.Offsets[k + 1], span));
                if (shared)
                {
                    // One source character normalized into several (Hangul → jamo): the piece is part of it.
                    Assert.Contains(piece, source, StringComparison.Ordinal);
                }
                else
                {
                    Assert.Equal(piece, source);
                    exactSpans++;
                }
            }
        }
        output.WriteLine($"{texts.Count} texts, {tokens} tokens ({unknown} [UNK]), {exactSpans} spans equal to their token, {mismatches.Count} id mismatches");
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} texts differ, e.g. {string.Join(" | ", mismatches.Take(5))}");
    }

    static bool Overlaps(TokenSpan a, TokenSpan b) => a.Start < b.End && b.Start < a.End;

    /// <summary>
    /// A Korean WordPiece vocabulary from part a: frequent syllables and their ## forms, frequent
    /// word-initial syllable pairs and ## pairs (so greedy longest match has choices), punctuation.
    /// </summary>
    static string[] BuildKoreanVocab(IReadOnlyList<string> texts)
    {
        var starts = new Dictionary<string, int>();
        var inner = new Dictionary<string, int>();
        var starts2 = new Dictionary<string, int>();
        var inner2 = new Dictionary<string, int>();
        foreach (var text in texts)
        {
            foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                for (var i = 0; i < word.Length; i++)
                {
                    var single = word[i].ToString();
                    var table = i == 0 ? starts : inner;
                    table[single] = table.GetValueOrDefault(single) + 1;
                    if (i + 1 < word.Length)
                    {
                        var pair = word.Substring(i, 2);
                        var pairs = i == 0 ? starts2 : inner2;
                        pairs[pair] = pairs.GetValueOrDefault(pair) + 1;
                    }
                }
            }
        }
        static IEnumerable<string> Top(Dictionary<string, int> counts, int n) =>
            counts.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(n).Select(p => p.Key);
        var vocab = new List<string> { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" };
        vocab.AddRange(Top(starts, 1500));
        vocab.AddRange(Top(inner, 1200).Select(s => "##" + s));
        vocab.AddRange(Top(starts2, 1500));
        vocab.AddRange(Top(inner2, 1000).Select(s => "##" + s));
        vocab.AddRange(Enumerable.Range(0, 0x1200).Select(i => ((char)(0x1100 + i)).ToString()).Where(s => !char.IsSurrogate(s[0])).Take(256)); // jamo
        vocab.AddRange(Enumerable.Range(0x1100, 256).Select(i => "##" + (char)i));
        // Entries must be single lines without spaces, as in any vocab.txt.
        return [.. vocab.Where(t => t.Length > 0 && !t.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || char.IsSurrogate(c))).Distinct()];
    }

    static string WriteVocab(TempFolder folder, string[] vocab)
    {
        var path = folder.Combine("vocab.txt");
        File.WriteAllLines(path, vocab);
        return path;
    }

    /// <summary>The tokenizer.json HF writes for BertTokenizerFast, without post-processor (no special tokens).</summary>
    static string WriteTokenizerJson(TempFolder folder, string[] vocab, BertNormalizerOptions normalizer)
    {
        var path = folder.Combine("tokenizer.json");
        var vocabMap = new Dictionary<string, int>();
        for (var i = 0; i < vocab.Length; i++) vocabMap[vocab[i]] = i;
        var document = new Dictionary<string, object?>
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = Array.Empty<object>(),
            ["normalizer"] = new Dictionary<string, object?>
            {
                ["type"] = "BertNormalizer",
                ["clean_text"] = normalizer.CleanText,
                ["handle_chinese_chars"] = normalizer.HandleChineseChars,
                ["strip_accents"] = normalizer.StripAccents,
                ["lowercase"] = normalizer.Lowercase,
            },
            ["pre_tokenizer"] = new Dictionary<string, object?> { ["type"] = "BertPreTokenizer" },
            ["post_processor"] = null,
            ["decoder"] = null,
            ["model"] = new Dictionary<string, object?>
            {
                ["type"] = "WordPiece",
                ["unk_token"] = "[UNK]",
                ["continuing_subword_prefix"] = "##",
                ["max_input_chars_per_word"] = 100,
                ["vocab"] = vocabMap,
            },
        };
        File.WriteAllText(path, JsonSerializer.Serialize(document));
        return path;
    }
}
