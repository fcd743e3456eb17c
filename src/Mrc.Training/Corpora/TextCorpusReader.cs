using System.Text.Json;
using System.Text.RegularExpressions;
using Mrc.Core.Data;

namespace Mrc.Training.Corpora;

/// <summary>
/// Reads Korean running text for vocabulary building and masked-LM pre-training, one passage or
/// sentence per item, from: plain text (one passage per non-blank line), JSON Lines (a "text",
/// "context" or "sentence" member per line), SQuAD/KorQuAD JSON (each distinct context), and the
/// KLUE dev files (NLI premises and hypotheses, STS sentence pairs, the raw sentences of NER and DP).
/// </summary>
public static partial class TextCorpusReader
{
    public static IEnumerable<string> ReadAll(IEnumerable<string> paths) => paths.SelectMany(Read);

    public static IEnumerable<string> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"corpus file not found: {path}", path);
        string name = Path.GetFileName(path);
        if (name.StartsWith("klue-ner", StringComparison.OrdinalIgnoreCase)) return KlueTsvSentences(path, stripEntityMarks: true);
        if (name.StartsWith("klue-dp", StringComparison.OrdinalIgnoreCase)) return KlueTsvSentences(path, stripEntityMarks: false);
        if (name.StartsWith("klue-nli", StringComparison.OrdinalIgnoreCase)) return KlueJsonSentences(path, "premise", "hypothesis");
        if (name.StartsWith("klue-sts", StringComparison.OrdinalIgnoreCase)) return KlueJsonSentences(path, "sentence1", "sentence2");
        if (name.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase)) return JsonlTexts(path);
        if (name.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            return CorpusReader.Load(path).Select(d => d.Text);
        return PlainLines(path);
    }

    static IEnumerable<string> PlainLines(string path) =>
        File.ReadLines(path).Select(l => l.Trim()).Where(l => l.Length > 0);

    static IEnumerable<string> JsonlTexts(string path)
    {
        long line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            string? value;
            try
            {
                using var document = JsonDocument.Parse(text);
                value = FirstString(document.RootElement, "text", "context", "sentence");
            }
            catch (JsonException e)
            {
                throw new DataFormatException(path, line, e.BytePositionInLine + 1, "invalid JSON: " + e.Message.Split(" Path:")[0], e);
            }
            if (value is null)
                throw new DataFormatException(path, line, null, "expected an object with a \"text\", \"context\" or \"sentence\" string");
            yield return value;
        }
    }

    static string? FirstString(JsonElement element, params string[] names)
    {
        if (element.ValueKind != JsonValueKind.Object) return null;
        foreach (var name in names)
            if (element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String) return value.GetString();
        return null;
    }

    static List<string> KlueJsonSentences(string path, string first, string second)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        if (document.RootElement.ValueKind != JsonValueKind.Array)
            throw new DataFormatException(path, 1, 1, "expected a JSON array of KLUE examples");
        var sentences = new List<string>();
        foreach (var example in document.RootElement.EnumerateArray())
            foreach (var name in new[] { first, second })
                if (example.TryGetProperty(name, out var value) && value.GetString() is { Length: > 0 } s) sentences.Add(s);
        return sentences;
    }

    // "## klue-ner-v1_dev_00000-wikitree\t<경찰:OG>은 ..." : the raw sentence follows the id after a tab.
    static IEnumerable<string> KlueTsvSentences(string path, bool stripEntityMarks)
    {
        foreach (var line in File.ReadLines(path))
        {
            if (!line.StartsWith("## klue-", StringComparison.Ordinal)) continue;
            int tab = line.IndexOf('\t', StringComparison.Ordinal);
            if (tab < 0) continue;
            string sentence = line[(tab + 1)..].Trim();
            if (stripEntityMarks) sentence = EntityMark().Replace(sentence, "$1");
            if (sentence.Length > 0) yield return sentence;
        }
    }

    // <text:TYPE> with TYPE one of KLUE's upper-case entity labels.
    [GeneratedRegex("<([^<>]+?):[A-Z]{2}>")]
    private static partial Regex EntityMark();
}
