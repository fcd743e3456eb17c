using System.Text.Json;

namespace Mrc.Reading.Tokenization;

/// <summary>
/// The fields of a Hugging Face <c>tokenizer_config.json</c> that the SentencePiece and BPE
/// tokenizers read; absent fields (or an absent file) keep the RoBERTa / XLM-R defaults.
/// </summary>
public sealed record TokenizerConfig
{
    public string? TokenizerClass { get; init; }
    public string Bos { get; init; } = "<s>";
    public string Eos { get; init; } = "</s>";
    public string? Cls { get; init; }
    public string? Sep { get; init; }
    public string Pad { get; init; } = "<pad>";
    public string Unk { get; init; } = "<unk>";
    public bool AddPrefixSpace { get; init; }
    public bool TrimOffsets { get; init; } = true;

    /// <summary>The sequence start: <c>cls_token</c>, else <c>bos_token</c> (as RobertaTokenizer builds pairs).</summary>
    public string Start => Cls ?? Bos;

    /// <summary>The separator: <c>sep_token</c>, else <c>eos_token</c>.</summary>
    public string Separator => Sep ?? Eos;

    public static TokenizerConfig Read(string folder)
    {
        var path = Path.Combine(folder, "tokenizer_config.json");
        var config = new TokenizerConfig();
        if (!File.Exists(path)) return config;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            return config with
            {
                TokenizerClass = Text(root, "tokenizer_class"),
                Bos = Text(root, "bos_token") ?? config.Bos,
                Eos = Text(root, "eos_token") ?? config.Eos,
                Cls = Text(root, "cls_token"),
                Sep = Text(root, "sep_token"),
                Pad = Text(root, "pad_token") ?? config.Pad,
                Unk = Text(root, "unk_token") ?? config.Unk,
                AddPrefixSpace = Flag(root, "add_prefix_space") ?? config.AddPrefixSpace,
                TrimOffsets = Flag(root, "trim_offsets") ?? config.TrimOffsets,
            };
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message})", e);
        }
    }

    /// <summary>A token given as a string or as an AddedToken object with "content".</summary>
    static string? Text(JsonElement root, string name) => root.TryGetProperty(name, out var v) switch
    {
        true when v.ValueKind == JsonValueKind.String => v.GetString(),
        true when v.ValueKind == JsonValueKind.Object && v.TryGetProperty("content", out var c) => c.GetString(),
        _ => null,
    };

    static bool? Flag(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;
}
