using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Mrc.Reading.Tokenization;

/// <summary>A token's span in the original text: UTF-16 indices, end exclusive.</summary>
public readonly record struct TokenSpan(int Start, int End);

/// <summary>Token ids and, for each, its span in the text that was encoded (no special tokens).</summary>
public sealed record TokenizedText(int[] Ids, TokenSpan[] Offsets);

/// <summary>
/// HF <c>BertNormalizer</c> settings. <see cref="StripAccents"/> null means "as <see cref="Lowercase"/>",
/// exactly as Hugging Face resolves it.
/// </summary>
public sealed record BertNormalizerOptions(
    bool CleanText = true,
    bool HandleChineseChars = true,
    bool? StripAccents = null,
    bool Lowercase = true);

/// <summary>
/// Hugging Face BERT WordPiece tokenization (what <c>BertTokenizerFast</c> does: BertNormalizer,
/// BertPreTokenizer, WordPiece) with every token's span in the <em>original</em> text.
/// </summary>
/// <remarks>
/// Normalization is done one code point at a time while keeping each produced character's source
/// span, so offsets never point into normalized text: clean text (drop NUL, U+FFFD and control /
/// format / unassigned characters, map whitespace to a space), isolate CJK ideographs, strip accents
/// (NFD, drop non-spacing marks; Hangul syllables stay decomposed into jamo, as in HF), lower-case.
/// Words are split on whitespace and isolate every punctuation character (ASCII 33–47, 58–64,
/// 91–96, 123–126 and Unicode categories Pc/Pd/Ps/Pe/Pi/Pf/Po); then greedy longest-match-first
/// WordPiece, a word longer than <see cref="MaxInputCharsPerWord"/> or with an unknown piece
/// becoming one unknown token.
/// </remarks>
public sealed class WordPieceTokenizer : IReaderTokenizer
{
    readonly Dictionary<string, int> vocab;
    readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> wordStarts;
    readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> continuations;
    readonly string[] idToToken;
    readonly bool stripAccents;

    public WordPieceTokenizer(
        IReadOnlyDictionary<string, int> vocabulary,
        BertNormalizerOptions normalizer,
        string unkToken = "[UNK]",
        string continuingSubwordPrefix = "##",
        int maxInputCharsPerWord = 100,
        SpecialTokens? specialTokens = null)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        Normalizer = normalizer ?? throw new ArgumentNullException(nameof(normalizer));
        vocab = new Dictionary<string, int>(vocabulary, StringComparer.Ordinal);
        var continuing = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (token, id) in vocab)
        {
            if (token.StartsWith(continuingSubwordPrefix, StringComparison.Ordinal))
                continuing[token[continuingSubwordPrefix.Length..]] = id;
        }
        wordStarts = vocab.GetAlternateLookup<ReadOnlySpan<char>>();
        continuations = continuing.GetAlternateLookup<ReadOnlySpan<char>>();
        idToToken = new string[vocab.Count == 0 ? 0 : vocab.Values.Max() + 1];
        foreach (var (token, id) in vocab) idToToken[id] = token;
        stripAccents = normalizer.StripAccents ?? normalizer.Lowercase;
        MaxInputCharsPerWord = maxInputCharsPerWord;
        var specials = specialTokens ?? new SpecialTokens();
        UnkId = Require(unkToken);
        ClsId = Require(specials.Cls);
        SepId = Require(specials.Sep);
        PadId = vocab.TryGetValue(specials.Pad, out var pad) ? pad : 0;

        int Require(string token) => vocab.TryGetValue(token, out var id)
            ? id
            : throw new InvalidDataException($"vocabulary has no '{token}' token.");
    }

    public BertNormalizerOptions Normalizer { get; }
    public int MaxInputCharsPerWord { get; }
    public int UnkId { get; }
    public int ClsId { get; }
    public int SepId { get; }
    public int PadId { get; }
    public int VocabularySize => idToToken.Length;

    /// <summary>BERT's pair: <c>[CLS] A [SEP] B [SEP]</c>, token type 1 for B.</summary>
    public PairTemplate Pair => PairTemplate.Bert(ClsId, SepId);

    public string IdToToken(int id) => idToToken[id];

    /// <summary>Loads <c>tokenizer.json</c> when present, else <c>vocab.txt</c> with <c>tokenizer_config.json</c>.</summary>
    public static WordPieceTokenizer FromFolder(string folder)
    {
        var json = Path.Combine(folder, "tokenizer.json");
        if (File.Exists(json)) return FromTokenizerJson(json, ReadSpecialTokens(folder));
        var vocabPath = Path.Combine(folder, "vocab.txt");
        if (!File.Exists(vocabPath))
            throw new FileNotFoundException($"{folder}: no tokenizer.json or vocab.txt (other tokenizers load through TokenizerLoader).", vocabPath);
        return FromVocabFile(vocabPath, ReadNormalizerFromConfig(folder), ReadSpecialTokens(folder));
    }

    /// <summary>A <c>vocab.txt</c>: one token per line, the id is the line number.</summary>
    public static WordPieceTokenizer FromVocabFile(string path, BertNormalizerOptions normalizer, SpecialTokens? specialTokens = null)
    {
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        var index = 0;
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
            vocabulary[line.TrimEnd('\r', '\n')] = index++;
        var specials = specialTokens ?? new SpecialTokens();
        return new WordPieceTokenizer(vocabulary, normalizer, specials.Unk, specialTokens: specials);
    }

    /// <summary>A Hugging Face <c>tokenizer.json</c> with a WordPiece model and a BertNormalizer.</summary>
    public static WordPieceTokenizer FromTokenizerJson(string path, SpecialTokens? specialTokens = null)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = document.RootElement;
        var model = root.GetProperty("model");
        var type = model.TryGetProperty("type", out var t) ? t.GetString() : "WordPiece";
        if (type != "WordPiece")
            throw new NotSupportedException($"{path}: model type {type} is not supported (WordPiece only).");
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in model.GetProperty("vocab").EnumerateObject()) vocabulary[entry.Name] = entry.Value.GetInt32();
        var unk = model.TryGetProperty("unk_token", out var u) ? u.GetString() ?? "[UNK]" : "[UNK]";
        var prefix = model.TryGetProperty("continuing_subword_prefix", out var p) ? p.GetString() ?? "##" : "##";
        var maxChars = model.TryGetProperty("max_input_chars_per_word", out var m) ? m.GetInt32() : 100;

        var normalizer = new BertNormalizerOptions();
        if (root.TryGetProperty("normalizer", out var n) && n.ValueKind == JsonValueKind.Object)
        {
            var normalizerType = n.GetProperty("type").GetString();
            if (normalizerType != "BertNormalizer")
                throw new NotSupportedException($"{path}: normalizer {normalizerType} is not supported (BertNormalizer only).");
            normalizer = new BertNormalizerOptions(
                CleanText: !n.TryGetProperty("clean_text", out var c) || c.GetBoolean(),
                HandleChineseChars: !n.TryGetProperty("handle_chinese_chars", out var h) || h.GetBoolean(),
                StripAccents: n.TryGetProperty("strip_accents", out var s) && s.ValueKind is JsonValueKind.True or JsonValueKind.False ? s.GetBoolean() : null,
                Lowercase: !n.TryGetProperty("lowercase", out var l) || l.GetBoolean());
        }
        var specials = (specialTokens ?? new SpecialTokens()) with { Unk = unk };
        return new WordPieceTokenizer(vocabulary, normalizer, unk, prefix, maxChars, specials);
    }

    static BertNormalizerOptions ReadNormalizerFromConfig(string folder)
    {
        var path = Path.Combine(folder, "tokenizer_config.json");
        if (!File.Exists(path)) return new BertNormalizerOptions();
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = document.RootElement;
        bool Flag(string name, bool fallback) =>
            root.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : fallback;
        bool? strip = root.TryGetProperty("strip_accents", out var s) && s.ValueKind is JsonValueKind.True or JsonValueKind.False ? s.GetBoolean() : null;
        return new BertNormalizerOptions(
            CleanText: true,
            HandleChineseChars: Flag("tokenize_chinese_chars", true),
            StripAccents: strip,
            Lowercase: Flag("do_lower_case", true));
    }

    static SpecialTokens ReadSpecialTokens(string folder)
    {
        var result = new SpecialTokens();
        var path = Path.Combine(folder, "tokenizer_config.json");
        if (!File.Exists(path)) return result;
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = document.RootElement;
        string Token(string name, string fallback) => root.TryGetProperty(name, out var v) switch
        {
            true when v.ValueKind == JsonValueKind.String => v.GetString()!,
            true when v.ValueKind == JsonValueKind.Object && v.TryGetProperty("content", out var c) => c.GetString()!,
            _ => fallback,
        };
        return new SpecialTokens(Token("cls_token", result.Cls), Token("sep_token", result.Sep), Token("pad_token", result.Pad), Token("unk_token", result.Unk));
    }

    /// <summary>Token ids and original-text spans of <paramref name="text"/>, without special tokens.</summary>
    public TokenizedText Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>();
        var offsets = new List<TokenSpan>();
        var word = new StringBuilder();
        var spanStarts = new List<int>();
        var spanEnds = new List<int>();

        void Flush()
        {
            if (word.Length == 0) return;
            WordPiece(word.ToString(), spanStarts, spanEnds, ids, offsets);
            word.Clear();
            spanStarts.Clear();
            spanEnds.Clear();
        }

        void Append(int codePoint, int start, int end)
        {
            var before = word.Length;
            if (codePoint > 0xFFFF) word.Append(char.ConvertFromUtf32(codePoint));
            else word.Append((char)codePoint);
            for (var k = before; k < word.Length; k++)
            {
                spanStarts.Add(start);
                spanEnds.Add(end);
            }
        }

        Span<int> normalized = stackalloc int[32];
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            int codePoint;
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                codePoint = char.ConvertToUtf32(text[i], text[i + 1]);
                i += 2;
            }
            else
            {
                codePoint = text[i];
                i += 1;
            }
            var end = i;

            if (Normalizer.CleanText && (codePoint == 0 || codePoint == 0xFFFD || IsControl(codePoint))) continue;
            if (IsWhitespace(codePoint))
            {
                Flush();
                continue;
            }
            var chinese = Normalizer.HandleChineseChars && IsChineseChar(codePoint);
            if (chinese) Flush();
            var count = Normalize(codePoint, normalized);
            for (var k = 0; k < count; k++)
            {
                var c = normalized[k];
                if (IsWhitespace(c))
                {
                    Flush();
                }
                else if (IsPunctuation(c))
                {
                    Flush();
                    Append(c, start, end);
                    Flush();
                }
                else
                {
                    Append(c, start, end);
                }
            }
            if (chinese) Flush();
        }
        Flush();
        return new TokenizedText([.. ids], [.. offsets]);
    }

    /// <summary>The text as the normalizer leaves it (no splitting), for checking spans against token texts.</summary>
    public string NormalizedForm(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new StringBuilder();
        Span<int> normalized = stackalloc int[32];
        for (var i = 0; i < text.Length; i += char.IsSurrogatePair(text, i) ? 2 : 1)
        {
            var codePoint = char.IsSurrogatePair(text, i) ? char.ConvertToUtf32(text[i], text[i + 1]) : text[i];
            if (Normalizer.CleanText && (codePoint == 0 || codePoint == 0xFFFD || IsControl(codePoint))) continue;
            if (IsWhitespace(codePoint))
            {
                builder.Append(' ');
                continue;
            }
            var count = Normalize(codePoint, normalized);
            for (var k = 0; k < count; k++) builder.Append(char.ConvertFromUtf32(normalized[k]));
        }
        return builder.ToString();
    }

    void WordPiece(string word, List<int> spanStarts, List<int> spanEnds, List<int> ids, List<TokenSpan> offsets)
    {
        var wordSpan = new TokenSpan(spanStarts[0], spanEnds[^1]);
        var charCount = 0;
        for (var k = 0; k < word.Length; k++)
        {
            if (!char.IsLowSurrogate(word[k]) || k == 0 || !char.IsHighSurrogate(word[k - 1])) charCount++;
        }
        if (charCount > MaxInputCharsPerWord)
        {
            ids.Add(UnkId);
            offsets.Add(wordSpan);
            return;
        }

        var firstPiece = ids.Count;
        var position = 0;
        while (position < word.Length)
        {
            var end = word.Length;
            var found = -1;
            while (end > position)
            {
                var piece = word.AsSpan(position, end - position);
                if ((position == 0 ? wordStarts : continuations).TryGetValue(piece, out var id))
                {
                    found = id;
                    break;
                }
                end -= end - 2 >= position && char.IsLowSurrogate(word[end - 1]) && char.IsHighSurrogate(word[end - 2]) ? 2 : 1;
            }
            if (found < 0)
            {
                ids.RemoveRange(firstPiece, ids.Count - firstPiece);
                offsets.RemoveRange(firstPiece, offsets.Count - firstPiece);
                ids.Add(UnkId);
                offsets.Add(wordSpan);
                return;
            }
            ids.Add(found);
            offsets.Add(new TokenSpan(spanStarts[position], spanEnds[end - 1]));
            position = end;
        }
    }

    /// <summary>Accent stripping and lower-casing of one code point; returns how many code points it became.</summary>
    int Normalize(int codePoint, Span<int> output)
    {
        var count = 0;
        if (stripAccents && codePoint >= 0x80)
        {
            var decomposed = char.ConvertFromUtf32(codePoint).Normalize(NormalizationForm.FormD);
            for (var k = 0; k < decomposed.Length && count < output.Length; k++)
            {
                int c = decomposed[k];
                if (char.IsHighSurrogate(decomposed[k]) && k + 1 < decomposed.Length)
                {
                    c = char.ConvertToUtf32(decomposed[k], decomposed[k + 1]);
                    k++;
                }
                if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark) output[count++] = c;
            }
        }
        else
        {
            output[count++] = codePoint;
        }
        if (!Normalizer.Lowercase) return count;

        Span<int> lowered = stackalloc int[output.Length];
        var loweredCount = 0;
        for (var k = 0; k < count && loweredCount < lowered.Length - 1; k++)
        {
            var c = output[k];
            if (c == 0x130)
            {
                // Rust's char::to_lowercase uses the full mapping: İ → i + combining dot above.
                lowered[loweredCount++] = 'i';
                lowered[loweredCount++] = 0x307;
            }
            else if (c <= 0xFFFF)
            {
                lowered[loweredCount++] = char.ToLowerInvariant((char)c);
            }
            else
            {
                lowered[loweredCount++] = char.ConvertToUtf32(char.ConvertFromUtf32(c).ToLowerInvariant(), 0);
            }
        }
        lowered[..loweredCount].CopyTo(output);
        return loweredCount;
    }

    /// <summary>Rust's <c>char::is_whitespace</c> (the Unicode White_Space property).</summary>
    public static bool IsWhitespace(int c) => c switch
    {
        >= 0x09 and <= 0x0D or 0x20 or 0x85 or 0xA0 or 0x1680 or (>= 0x2000 and <= 0x200A)
            or 0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000 => true,
        _ => false,
    };

    /// <summary>HF's <c>is_control</c>: categories Cc, Cf, Cs, Co, Cn except tab, newline, carriage return.</summary>
    public static bool IsControl(int c)
    {
        if (c is '\t' or '\n' or '\r') return false;
        if (c is >= 0xD800 and <= 0xDFFF) return true;
        return CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned;
    }

    /// <summary>HF's <c>is_bert_punc</c>: ASCII punctuation or a Unicode punctuation category.</summary>
    public static bool IsPunctuation(int c)
    {
        if (c is >= 33 and <= 47 or >= 58 and <= 64 or >= 91 and <= 96 or >= 123 and <= 126) return true;
        if (c is >= 0xD800 and <= 0xDFFF) return false;
        return CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }

    /// <summary>HF's <c>is_chinese_char</c>: the CJK Unified Ideographs blocks and their extensions.</summary>
    public static bool IsChineseChar(int c) =>
        c is (>= 0x4E00 and <= 0x9FFF) or (>= 0x3400 and <= 0x4DBF) or (>= 0x20000 and <= 0x2A6DF)
            or (>= 0x2A700 and <= 0x2B73F) or (>= 0x2B740 and <= 0x2B81F) or (>= 0x2B920 and <= 0x2CEAF)
            or (>= 0xF900 and <= 0xFAFF) or (>= 0x2F800 and <= 0x2FA1F);
}

/// <summary>The special tokens of a BERT-style vocabulary.</summary>
public sealed record SpecialTokens(string Cls = "[CLS]", string Sep = "[SEP]", string Pad = "[PAD]", string Unk = "[UNK]");
