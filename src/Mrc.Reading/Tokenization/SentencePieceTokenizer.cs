using System.Text;
using System.Text.Json;

namespace Mrc.Reading.Tokenization;

/// <summary>
/// SentencePiece Unigram tokenization as XLM-RoBERTa uses it, from either of its two forms:
/// <list type="bullet">
/// <item><c>sentencepiece.bpe.model</c> (despite the name a Unigram model): sentencepiece's own
/// normalizer and Viterbi in 32-bit scores, ids in fairseq's layout (<c>&lt;s&gt;</c>=0,
/// <c>&lt;pad&gt;</c>=1, <c>&lt;/s&gt;</c>=2, <c>&lt;unk&gt;</c>=3, piece k at k+1, <c>&lt;mask&gt;</c> last), as
/// the slow <c>XLMRobertaTokenizer</c> gives them;</item>
/// <item><c>tokenizer.json</c> with a Unigram model: its normalizers, the Metaspace pre-tokenizer and
/// Hugging Face's Viterbi in 64-bit scores, ids as listed.</item>
/// </list>
/// Offsets point into the original text through the normalizer's alignments.
/// </summary>
public sealed class SentencePieceTokenizer : IReaderTokenizer
{
    /// <summary>fairseq's ids before the SentencePiece pieces in XLM-R's vocabulary.</summary>
    const int FairseqOffset = 1;

    readonly Func<string, IReadOnlyList<NormalizedText>> split;
    readonly UnigramModel model;
    readonly Func<int, int> outputId;
    readonly string[] idToToken;

    SentencePieceTokenizer(Func<string, IReadOnlyList<NormalizedText>> split, UnigramModel model, Func<int, int> outputId,
        string[] idToToken, PairTemplate pair, int padId)
    {
        this.split = split;
        this.model = model;
        this.outputId = outputId;
        this.idToToken = idToToken;
        Pair = pair;
        PadId = padId;
    }

    public PairTemplate Pair { get; }
    public int PadId { get; }
    public int UnkId => outputId(model.UnknownId);
    public int VocabularySize => idToToken.Length;

    public string IdToToken(int id) => idToToken[id];

    public TokenizedText Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>();
        var offsets = new List<TokenSpan>();
        foreach (var piece in split(text))
        {
            var source = piece.ToString();
            var codePointAt = TokenizerJsonNormalizers.CodePointIndices(source);
            foreach (var (id, start, end) in model.Encode(source))
            {
                ids.Add(outputId(id));
                offsets.Add(piece.OriginalSpan(codePointAt[start], codePointAt[end]));
            }
        }
        return new TokenizedText([.. ids], [.. offsets]);
    }

    /// <summary>
    /// A SentencePiece <c>.model</c> with XLM-R's fairseq id layout; the model must be Unigram with
    /// sentencepiece's standard first pieces (&lt;unk&gt;, &lt;s&gt;, &lt;/s&gt;).
    /// </summary>
    /// <exception cref="InvalidDataException">The file is corrupt; the message names it.</exception>
    public static SentencePieceTokenizer FromSentencePieceModel(string path)
    {
        var proto = SentencePieceModelProto.Load(path);
        if (proto.ModelType != SentencePieceModelProto.Unigram)
            throw new NotSupportedException($"{path}: SentencePiece model type {proto.ModelType} is not supported (Unigram only).");
        if (proto.ByteFallback || proto.TreatWhitespaceAsSuffix)
            throw new NotSupportedException($"{path}: byte_fallback and treat_whitespace_as_suffix are not supported.");
        var pieces = proto.Pieces;
        if (pieces.Count < 3 || pieces[0].Type != SentencePieceType.Unknown || pieces[1].Type != SentencePieceType.Control || pieces[2].Type != SentencePieceType.Control)
            throw new InvalidDataException($"{path}: expected <unk>, <s>, </s> as the first pieces (the layout XLM-R's ids are derived from).");

        var normal = pieces.Where(p => p.Type == SentencePieceType.Normal).Select(p => p.Score).DefaultIfEmpty(0f);
        float minScore = normal.Min(), maxScore = normal.Max();
        var entries = pieces.Select(p => p.Type switch
        {
            SentencePieceType.Normal => ((string?)p.Piece, (double)p.Score),
            // sentencepiece favours user-defined symbols over anything else.
            SentencePieceType.UserDefined => (p.Piece, (double)(float)(Encoding.UTF8.GetByteCount(p.Piece) * (double)maxScore - 0.1)),
            _ => (null, p.Score),
        }).ToList();
        var model = new UnigramModel(entries, unknownId: 0, singlePrecision: true, minScore);
        SentencePieceNormalizer normalizer;
        try
        {
            normalizer = new SentencePieceNormalizer(proto.Normalizer);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }

        var idToToken = new string[pieces.Count + FairseqOffset + 1];
        for (var k = 0; k < pieces.Count; k++) idToToken[k + FairseqOffset] = pieces[k].Piece;
        (idToToken[0], idToToken[1], idToToken[2], idToToken[3]) = ("<s>", "<pad>", "</s>", "<unk>");
        idToToken[^1] = "<mask>";
        return new SentencePieceTokenizer(
            text => [normalizer.Normalize(text)],
            model,
            id => id == 0 ? 3 : id + FairseqOffset,
            idToToken,
            PairTemplate.Roberta(bosId: 0, eosId: 2),
            padId: 1);
    }

    /// <summary>A <c>tokenizer.json</c> whose model is Unigram (normalizers, Metaspace, ids as listed).</summary>
    public static SentencePieceTokenizer FromTokenizerJson(string path, TokenizerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        using var document = TokenizerJsonFile.Open(path);
        var root = document.RootElement;
        var modelJson = root.GetProperty("model");
        if (modelJson.TryGetProperty("byte_fallback", out var fallback) && fallback.GetBoolean())
            throw new NotSupportedException($"{path}: Unigram byte_fallback is not supported.");
        var entries = new List<(string? Piece, double Score)>();
        foreach (var entry in modelJson.GetProperty("vocab").EnumerateArray())
            entries.Add((entry[0].GetString(), entry[1].GetDouble()));
        if (entries.Count == 0) throw new InvalidDataException($"{path}: the Unigram vocabulary is empty.");
        var unknownId = modelJson.TryGetProperty("unk_id", out var unk) && unk.ValueKind == JsonValueKind.Number
            ? unk.GetInt32()
            : throw new NotSupportedException($"{path}: a Unigram model without unk_id is not supported.");
        // Hugging Face takes the unknown penalty from the lowest score of the whole vocabulary.
        var model = new UnigramModel(entries, unknownId, singlePrecision: false, entries.Min(e => e.Score));

        var normalize = TokenizerJsonNormalizers.Build(root.TryGetProperty("normalizer", out var n) ? n : null);
        var preTokenize = Metaspace(root.TryGetProperty("pre_tokenizer", out var p) ? p : default, path);
        var idToToken = entries.Select(e => e.Piece ?? "").ToArray();
        var added = TokenizerJsonFile.AddedTokens(root);
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var id = idToToken.Length - 1; id >= 0; id--) ids.TryAdd(idToToken[id], id);
        int IdOf(string token) => added.TryGetValue(token, out var a) ? a
            : ids.TryGetValue(token, out var v) ? v
            : throw new InvalidDataException($"{path}: no '{token}' token.");
        var pair = TokenizerJsonFile.PairTemplate(root, IdOf, PairTemplate.Roberta(IdOf(config.Start), IdOf(config.Separator)), path);
        var padId = added.TryGetValue(config.Pad, out var pad) || ids.TryGetValue(config.Pad, out pad) ? pad : 0;
        var size = Math.Max(idToToken.Length, added.Count == 0 ? 0 : added.Values.Max() + 1);
        if (size > idToToken.Length)
        {
            Array.Resize(ref idToToken, size);
            foreach (var (token, id) in added) idToToken[id] = token;
        }
        return new SentencePieceTokenizer(
            text =>
            {
                var normalized = NormalizedText.From(text);
                normalize(normalized);
                return preTokenize(normalized);
            },
            model, id => id, idToToken, pair, padId);
    }

    /// <summary>
    /// Hugging Face's Metaspace pre-tokenizer: spaces become the replacement character, which is put
    /// first unless already there (prepend scheme "always"; "first" is the same on one text), and
    /// each replacement starts a new word.
    /// </summary>
    static Func<NormalizedText, IReadOnlyList<NormalizedText>> Metaspace(JsonElement spec, string path)
    {
        if (spec.ValueKind != JsonValueKind.Object || spec.GetProperty("type").GetString() != "Metaspace")
            throw new NotSupportedException($"{path}: a Unigram tokenizer needs the Metaspace pre-tokenizer.");
        var replacement = spec.TryGetProperty("replacement", out var r) ? char.ConvertToUtf32(r.GetString()!, 0) : SentencePieceNormalizer.SpaceSymbol;
        var prepend = spec.TryGetProperty("prepend_scheme", out var scheme)
            ? scheme.GetString() != "never"
            : !spec.TryGetProperty("add_prefix_space", out var add) || add.GetBoolean();
        var splitWords = !spec.TryGetProperty("split", out var s) || s.GetBoolean();
        var prefix = char.ConvertFromUtf32(replacement);
        return text =>
        {
            text.ReplaceCodePoint(' ', replacement);
            if (prepend && (text.Count == 0 || text.CodePoints[0] != replacement)) text.Prepend(prefix);
            return splitWords ? text.SplitMergedWithNext(replacement) : [text];
        };
    }
}
