using System.Text.Json;

namespace Mrc.Reading.Tokenization;

/// <summary>What the SentencePiece and BPE readers share about a Hugging Face <c>tokenizer.json</c>.</summary>
internal static class TokenizerJsonFile
{
    public static JsonDocument Open(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message})", e);
        }
    }

    /// <summary>The <c>added_tokens</c> (special tokens such as &lt;mask&gt; often live only there).</summary>
    public static Dictionary<string, int> AddedTokens(JsonElement root)
    {
        var tokens = new Dictionary<string, int>(StringComparer.Ordinal);
        if (!root.TryGetProperty("added_tokens", out var added) || added.ValueKind != JsonValueKind.Array) return tokens;
        foreach (var token in added.EnumerateArray()) tokens[token.GetProperty("content").GetString()!] = token.GetProperty("id").GetInt32();
        return tokens;
    }

    /// <summary>
    /// The pair template of the <c>post_processor</c> (BertProcessing, RobertaProcessing, or a
    /// TemplateProcessing laid out as <c>S $A S.. $B S</c>), or <paramref name="fallback"/> when there is none.
    /// </summary>
    public static PairTemplate PairTemplate(JsonElement root, Func<string, int> idOf, PairTemplate fallback, string path)
    {
        if (!root.TryGetProperty("post_processor", out var processor) || processor.ValueKind != JsonValueKind.Object) return fallback;
        switch (processor.GetProperty("type").GetString())
        {
            case "BertProcessing":
                return Tokenization.PairTemplate.Bert(processor.GetProperty("cls")[1].GetInt32(), processor.GetProperty("sep")[1].GetInt32());
            case "RobertaProcessing":
                return Tokenization.PairTemplate.Roberta(processor.GetProperty("cls")[1].GetInt32(), processor.GetProperty("sep")[1].GetInt32());
            case "TemplateProcessing":
                return FromTemplate(processor.GetProperty("pair"), idOf, path);
            case "ByteLevel":
                return fallback;
            case var other:
                throw new NotSupportedException($"{path}: post_processor {other} is not supported (Bert, Roberta, Template, ByteLevel).");
        }
    }

    /// <summary>The RobertaProcessing / ByteLevel post-processor's <c>trim_offsets</c>, or null.</summary>
    public static bool? TrimOffsets(JsonElement root)
    {
        if (!root.TryGetProperty("post_processor", out var processor) || processor.ValueKind != JsonValueKind.Object) return null;
        if (processor.GetProperty("type").GetString() is "RobertaProcessing" or "ByteLevel")
            return !processor.TryGetProperty("trim_offsets", out var trim) || trim.GetBoolean();
        return false;
    }

    static PairTemplate FromTemplate(JsonElement pair, Func<string, int> idOf, string path)
    {
        var items = pair.EnumerateArray().Select(item => item.TryGetProperty("SpecialToken", out var s)
            ? (Special: s.GetProperty("id").GetString(), Type: s.GetProperty("type_id").GetInt32())
            : (Special: null, Type: item.GetProperty("Sequence").GetProperty("type_id").GetInt32())).ToList();
        var a = items.FindIndex(i => i.Special is null);
        var b = items.FindLastIndex(i => i.Special is null);
        var shaped = a == 1 && b > a + 1 && b == items.Count - 2
            && items.Take(b).Skip(a + 1).All(i => i.Special == items[a + 1].Special) && items[^1].Special == items[a + 1].Special;
        if (!shaped)
            throw new NotSupportedException($"{path}: pair template is not of the form START $A SEP.. $B SEP.");
        return new PairTemplate(idOf(items[0].Special!), idOf(items[a + 1].Special!), b - a - 1, items[b].Type);
    }
}
