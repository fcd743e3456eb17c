using System.Text.Json;
using Mrc.Reading.Tokenization;

namespace Mrc.Reader.Tests.Reference;

/// <summary>
/// The tokenizer.json that transformers' <c>XLMRobertaConverter</c> writes for a SentencePiece
/// model: fairseq's four specials, pieces from the fourth on with their scores, &lt;mask&gt; last,
/// the model's compiled normalization rules, runs of spaces made one, Metaspace.
/// </summary>
internal static class XlmRobertaTokenizerJson
{
    public static string Write(string modelPath, string outputPath, bool nfkcInsteadOfCharsMap = false)
    {
        var proto = SentencePieceModelProto.Load(modelPath);
        var vocab = new List<object[]> { new object[] { "<s>", 0.0 }, new object[] { "<pad>", 0.0 }, new object[] { "</s>", 0.0 }, new object[] { "<unk>", 0.0 } };
        vocab.AddRange(proto.Pieces.Skip(3).Select(p => new object[] { p.Piece, (double)p.Score }));
        vocab.Add(["<mask>", 0.0]);
        var mask = vocab.Count - 1;
        object first = nfkcInsteadOfCharsMap
            ? new Dictionary<string, object?> { ["type"] = "NFKC" }
            : new Dictionary<string, object?> { ["type"] = "Precompiled", ["precompiled_charsmap"] = Convert.ToBase64String(proto.Normalizer.PrecompiledCharsMap!) };
        var metaspace = new Dictionary<string, object?> { ["type"] = "Metaspace", ["replacement"] = "▁", ["prepend_scheme"] = "always", ["split"] = true };
        var document = new Dictionary<string, object?>
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = new[] { ("<s>", 0), ("<pad>", 1), ("</s>", 2), ("<unk>", 3), ("<mask>", mask) }.Select(t => new Dictionary<string, object?>
            {
                ["id"] = t.Item2, ["content"] = t.Item1, ["single_word"] = false, ["lstrip"] = t.Item1 == "<mask>",
                ["rstrip"] = false, ["normalized"] = false, ["special"] = true,
            }).ToList(),
            ["normalizer"] = new Dictionary<string, object?>
            {
                ["type"] = "Sequence",
                ["normalizers"] = new[]
                {
                    first,
                    new Dictionary<string, object?> { ["type"] = "Replace", ["pattern"] = new Dictionary<string, string> { ["Regex"] = " {2,}" }, ["content"] = " " },
                },
            },
            ["pre_tokenizer"] = metaspace,
            ["post_processor"] = new Dictionary<string, object?>
            {
                ["type"] = "TemplateProcessing",
                ["single"] = new object[] { Special("<s>"), Sequence("A"), Special("</s>") },
                ["pair"] = new object[] { Special("<s>"), Sequence("A"), Special("</s>"), Special("</s>"), Sequence("B"), Special("</s>") },
                ["special_tokens"] = new Dictionary<string, object>
                {
                    ["<s>"] = new Dictionary<string, object> { ["id"] = "<s>", ["ids"] = new[] { 0 }, ["tokens"] = new[] { "<s>" } },
                    ["</s>"] = new Dictionary<string, object> { ["id"] = "</s>", ["ids"] = new[] { 2 }, ["tokens"] = new[] { "</s>" } },
                },
            },
            ["decoder"] = metaspace,
            ["model"] = new Dictionary<string, object?> { ["type"] = "Unigram", ["unk_id"] = 3, ["vocab"] = vocab, ["byte_fallback"] = false },
        };
        File.WriteAllText(outputPath, JsonSerializer.Serialize(document));
        return outputPath;

        static object Special(string id) => new Dictionary<string, object> { ["SpecialToken"] = new Dictionary<string, object> { ["id"] = id, ["type_id"] = 0 } };
        static object Sequence(string id) => new Dictionary<string, object> { ["Sequence"] = new Dictionary<string, object> { ["id"] = id, ["type_id"] = 0 } };
    }
}
