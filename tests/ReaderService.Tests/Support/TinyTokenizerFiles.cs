using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Mrc.Reading.Checkpoints;
using Mrc.Reading.Tokenization;

namespace Mrc.Reader.Tests.Support;

/// <summary>
/// Tiny XLM-R-style (SentencePiece) and RoBERTa-style (byte-level BPE) model version folders whose
/// tokenizers cover the given texts, for reading tests that need no reference program.
/// </summary>
internal static class TinyTokenizerFiles
{
    /// <summary>
    /// config.json (model_type xlm-roberta, one token type, pad 1), sentencepiece.bpe.model,
    /// tokenizer_config.json and weights. Pieces: every word and character of the texts, with
    /// and without the ▁ word start, longer pieces scored higher.
    /// </summary>
    public static string WriteXlmRobertaFolder(string folder, int seed, params string[] texts)
    {
        Directory.CreateDirectory(folder);
        var pieces = new List<(string, float, int)> { ("<unk>", 0, 2), ("<s>", 0, 3), ("</s>", 0, 3), ("\u2581", -3, 1) };
        var seen = new HashSet<string>(pieces.Select(p => p.Item1));
        void Add(string piece, float score)
        {
            if (seen.Add(piece)) pieces.Add((piece, score, 1));
        }
        foreach (var word in texts.SelectMany(t => t.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
        {
            Add("\u2581" + word, -4 - word.Length);
            Add("\u2581" + word[0], -6);
            foreach (var c in word) Add(c.ToString(), -8);
        }
        WriteSentencePieceModel(Path.Combine(folder, "sentencepiece.bpe.model"), pieces);
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), """{"tokenizer_class": "XLMRobertaTokenizer", "model_max_length": 512}""");
        // fairseq's layout: <s> <pad> </s> <unk>, the pieces from the fourth, <mask>.
        var config = TinyModels.Config("roberta", pieces.Count + 2) with { ModelType = "xlm-roberta", TypeVocabSize = 1, PadTokenId = 1 };
        config.Save(Path.Combine(folder, "config.json"));
        using var model = TinyModels.Create(config, seed);
        CheckpointLoader.SaveSafetensors(model, folder);
        return folder;
    }

    /// <summary>
    /// config.json (model_type roberta), vocab.json with &lt;s&gt; &lt;pad&gt; &lt;/s&gt; &lt;unk&gt;, the 256 byte
    /// characters and merges joining each character of the texts from its UTF-8 bytes, merges.txt, weights.
    /// </summary>
    public static string WriteRobertaBpeFolder(string folder, int seed, params string[] texts)
    {
        Directory.CreateDirectory(folder);
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        void Add(string token) => vocab.TryAdd(token, vocab.Count);
        foreach (var special in new[] { "<s>", "<pad>", "</s>", "<unk>" }) Add(special);
        foreach (var c in ByteLevel.ByteToChar.Order()) Add(c.ToString());
        var merges = new List<string>();
        foreach (var c in texts.SelectMany(t => t).Distinct())
        {
            var bytes = Encoding.UTF8.GetBytes(c.ToString()).Select(b => ByteLevel.ByteToChar[b].ToString()).ToList();
            var joined = bytes[0];
            foreach (var next in bytes.Skip(1))
            {
                if (!vocab.ContainsKey(joined + next)) merges.Add($"{joined} {next}");
                joined += next;
                Add(joined);
            }
        }
        Add("<mask>");
        File.WriteAllText(Path.Combine(folder, "vocab.json"), JsonSerializer.Serialize(vocab));
        File.WriteAllLines(Path.Combine(folder, "merges.txt"), ["#version: 0.2", .. merges]);
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), """{"tokenizer_class": "RobertaTokenizer", "add_prefix_space": false, "trim_offsets": true}""");
        var config = TinyModels.Config("roberta", vocab.Count) with { PadTokenId = 1 };
        config.Save(Path.Combine(folder, "config.json"));
        using var model = TinyModels.Create(config, seed);
        CheckpointLoader.SaveSafetensors(model, folder);
        return folder;
    }

    /// <summary>A SentencePiece ModelProto: pieces (text, score, type), Unigram, identity normalization.</summary>
    public static void WriteSentencePieceModel(string path, IEnumerable<(string Piece, float Score, int Type)> pieces)
    {
        using var file = File.Create(path);
        using var output = new CodedOutputStream(file, leaveOpen: true);
        foreach (var (piece, score, type) in pieces)
        {
            output.WriteTag(1, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(Message(o =>
            {
                o.WriteTag(1, WireFormat.WireType.LengthDelimited);
                o.WriteString(piece);
                o.WriteTag(2, WireFormat.WireType.Fixed32);
                o.WriteFloat(score);
                o.WriteTag(3, WireFormat.WireType.Varint);
                o.WriteInt32(type);
            }));
        }
        output.WriteTag(2, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(Message(o =>
        {
            o.WriteTag(3, WireFormat.WireType.Varint);
            o.WriteInt32(1); // UNIGRAM
        }));
        output.WriteTag(3, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(Message(o =>
        {
            o.WriteTag(1, WireFormat.WireType.LengthDelimited);
            o.WriteString("identity");
        }));
        output.Flush();
    }

    static ByteString Message(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        using (var output = new CodedOutputStream(buffer, leaveOpen: true))
        {
            write(output);
        }
        return ByteString.CopyFrom(buffer.ToArray());
    }
}
