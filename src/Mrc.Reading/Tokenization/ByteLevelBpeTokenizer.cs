using System.Text;
using System.Text.Json;

namespace Mrc.Reading.Tokenization;

/// <summary>
/// Byte-level BPE as RoBERTa and GPT-2 use it (Hugging Face's ByteLevel pre-tokenizer, BPE model and,
/// with <c>trim_offsets</c>, the RoBERTa post-processor's offset trimming), from <c>vocab.json</c> +
/// <c>merges.txt</c> or from a <c>tokenizer.json</c> with a BPE model. Offsets are original UTF-16
/// spans; a token holding some of a character's UTF-8 bytes covers that whole character.
/// </summary>
public sealed class ByteLevelBpeTokenizer : IReaderTokenizer
{
    readonly BpeModel model;
    readonly Action<NormalizedText> normalize;
    readonly string[] idToToken;

    ByteLevelBpeTokenizer(BpeModel model, Action<NormalizedText> normalize, bool addPrefixSpace, bool trimOffsets, PairTemplate pair, int padId, int size)
    {
        this.model = model;
        this.normalize = normalize;
        AddPrefixSpace = addPrefixSpace;
        TrimOffsets = trimOffsets;
        Pair = pair;
        PadId = padId;
        idToToken = new string[size];
        foreach (var (token, id) in model.Vocabulary) idToToken[id] = token;
    }

    public bool AddPrefixSpace { get; }
    public bool TrimOffsets { get; }
    public PairTemplate Pair { get; }
    public int PadId { get; }
    public int VocabularySize => idToToken.Length;

    public string IdToToken(int id) => idToToken[id] ?? "";

    public TokenizedText Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var normalized = NormalizedText.From(text);
        normalize(normalized);
        var ids = new List<int>();
        var offsets = new List<TokenSpan>();
        foreach (var word in ByteLevel.PreTokenize(normalized, AddPrefixSpace))
        {
            var source = word.ToString();
            foreach (var (id, start, end) in model.Encode(source))
            {
                var span = word.OriginalSpan(start, end);
                if (TrimOffsets) span = Trim(source.AsSpan(start, end - start), span, ids.Count == 0);
                ids.Add(id);
                offsets.Add(span);
            }
        }
        return new TokenizedText([.. ids], [.. offsets]);
    }

    /// <summary>
    /// Hugging Face's <c>process_offsets</c>: a token's leading and trailing spaces ('Ġ') are taken out
    /// of its span, except the one space added in front of the first token.
    /// </summary>
    TokenSpan Trim(ReadOnlySpan<char> token, TokenSpan span, bool first)
    {
        var leading = 0;
        while (leading < token.Length && token[leading] == ByteLevel.Space) leading++;
        var trailing = 0;
        while (trailing < token.Length && token[^(trailing + 1)] == ByteLevel.Space) trailing++;
        var (start, end) = (span.Start, span.End);
        if (leading > 0)
        {
            if ((first || start == 0) && AddPrefixSpace && leading == 1) leading = 0;
            start = Math.Min(start + leading, end);
        }
        if (trailing > 0 && end >= trailing) end = Math.Max(end - trailing, start);
        return new TokenSpan(start, end);
    }

    /// <summary><c>vocab.json</c> and <c>merges.txt</c> of <paramref name="folder"/> with its <c>tokenizer_config.json</c>.</summary>
    /// <exception cref="InvalidDataException">Either file is corrupt; the message names it.</exception>
    public static ByteLevelBpeTokenizer FromVocabAndMerges(string folder, TokenizerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var vocabPath = Path.Combine(folder, "vocab.json");
        var mergesPath = Path.Combine(folder, "merges.txt");
        Dictionary<string, int> vocab;
        try
        {
            vocab = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllBytes(vocabPath))
                ?? throw new InvalidDataException("empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{vocabPath}: not a JSON object of token ids ({e.Message})", e);
        }
        var merges = ReadMerges(mergesPath);
        // As transformers' RobertaConverter builds it: no unknown token (every byte is in a byte-level vocabulary).
        var model = Build(vocab, merges, unknownId: null, ignoreMerges: false, mergesPath);
        int IdOf(string token) => vocab.TryGetValue(token, out var id) ? id : throw new InvalidDataException($"{vocabPath}: no '{token}' token.");
        return new ByteLevelBpeTokenizer(model, _ => { }, config.AddPrefixSpace, config.TrimOffsets,
            PairTemplate.Roberta(IdOf(config.Start), IdOf(config.Separator)), vocab.GetValueOrDefault(config.Pad), vocab.Values.Max() + 1);
    }

    /// <summary>A <c>tokenizer.json</c> whose model is BPE with the ByteLevel pre-tokenizer.</summary>
    public static ByteLevelBpeTokenizer FromTokenizerJson(string path, TokenizerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        using var document = TokenizerJsonFile.Open(path);
        var root = document.RootElement;
        var modelJson = root.GetProperty("model");
        foreach (var unsupported in new[] { "continuing_subword_prefix", "end_of_word_suffix" })
        {
            if (modelJson.TryGetProperty(unsupported, out var value) && value.ValueKind == JsonValueKind.String && value.GetString()!.Length > 0)
                throw new NotSupportedException($"{path}: BPE {unsupported} is not supported (byte-level BPE has none).");
        }
        if (modelJson.TryGetProperty("byte_fallback", out var fallback) && fallback.GetBoolean())
            throw new NotSupportedException($"{path}: BPE byte_fallback is not supported.");
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in modelJson.GetProperty("vocab").EnumerateObject()) vocab[entry.Name] = entry.Value.GetInt32();
        var merges = modelJson.GetProperty("merges").EnumerateArray().Select(m => m.ValueKind == JsonValueKind.Array
            ? (m[0].GetString()!, m[1].GetString()!)
            : SplitMerge(m.GetString()!, path)).ToList();
        int? unknownId = modelJson.TryGetProperty("unk_token", out var unk) && unk.ValueKind == JsonValueKind.String && vocab.TryGetValue(unk.GetString()!, out var u) ? u : null;
        var ignoreMerges = modelJson.TryGetProperty("ignore_merges", out var ignore) && ignore.GetBoolean();
        var model = Build(vocab, merges, unknownId, ignoreMerges, path);

        var addPrefixSpace = ReadByteLevel(root, path);
        var added = TokenizerJsonFile.AddedTokens(root);
        int IdOf(string token) => added.TryGetValue(token, out var a) ? a
            : vocab.TryGetValue(token, out var v) ? v
            : throw new InvalidDataException($"{path}: no '{token}' token.");
        var pair = TokenizerJsonFile.PairTemplate(root, IdOf, PairTemplate.Roberta(IdOf(config.Start), IdOf(config.Separator)), path);
        var trim = TokenizerJsonFile.TrimOffsets(root) ?? false;
        var padId = added.TryGetValue(config.Pad, out var pad) || vocab.TryGetValue(config.Pad, out pad) ? pad : 0;
        var size = Math.Max(vocab.Values.Max(), added.Count == 0 ? 0 : added.Values.Max()) + 1;
        var normalize = TokenizerJsonNormalizers.Build(root.TryGetProperty("normalizer", out var n) ? n : null);
        return new ByteLevelBpeTokenizer(model, normalize, addPrefixSpace, trim, pair, padId, size);
    }

    static BpeModel Build(Dictionary<string, int> vocab, List<(string, string)> merges, int? unknownId, bool ignoreMerges, string path)
    {
        if (vocab.Count == 0) throw new InvalidDataException($"{path}: the vocabulary is empty.");
        try
        {
            return new BpeModel(vocab, merges, unknownId, ignoreMerges);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>The ByteLevel pre-tokenizer's <c>add_prefix_space</c> (alone or inside a Sequence).</summary>
    static bool ReadByteLevel(JsonElement root, string path)
    {
        if (root.TryGetProperty("pre_tokenizer", out var pre) && pre.ValueKind == JsonValueKind.Object)
        {
            var byteLevel = pre.GetProperty("type").GetString() == "Sequence"
                ? pre.GetProperty("pretokenizers").EnumerateArray().Where(p => p.GetProperty("type").GetString() == "ByteLevel").ToList()
                : pre.GetProperty("type").GetString() == "ByteLevel" ? [pre] : [];
            if (byteLevel.Count == 1 && (pre.GetProperty("type").GetString() == "ByteLevel" || pre.GetProperty("pretokenizers").GetArrayLength() == 1))
            {
                var spec = byteLevel[0];
                if (spec.TryGetProperty("use_regex", out var regex) && !regex.GetBoolean())
                    throw new NotSupportedException($"{path}: ByteLevel without use_regex is not supported.");
                return spec.TryGetProperty("add_prefix_space", out var add) && add.GetBoolean();
            }
        }
        throw new NotSupportedException($"{path}: a BPE tokenizer needs the ByteLevel pre-tokenizer (GPT-2 / RoBERTa style).");
    }

    /// <summary><c>merges.txt</c>: an optional "#version" line, then one "left right" pair per line in rank order.</summary>
    static List<(string, string)> ReadMerges(string path)
    {
        var merges = new List<(string, string)>();
        var number = 0;
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path, new UTF8Encoding(false, throwOnInvalidBytes: true));
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"{path}: not UTF-8 text ({e.Message})", e);
        }
        foreach (var line in lines)
        {
            number++;
            if ((number == 1 && line.StartsWith("#version", StringComparison.Ordinal)) || line.Length == 0) continue;
            merges.Add(SplitMerge(line, $"{path} line {number}"));
        }
        return merges;
    }

    static (string, string) SplitMerge(string line, string where)
    {
        var parts = line.Split(' ');
        return parts.Length == 2 && parts[0].Length > 0 && parts[1].Length > 0
            ? (parts[0], parts[1])
            : throw new InvalidDataException($"{where}: a merge must be two tokens separated by one space, got '{line}'.");
    }
}
