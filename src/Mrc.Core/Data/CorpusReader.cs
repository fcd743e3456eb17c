namespace Mrc.Core.Data;

/// <summary>
/// Reads retrieval corpora: the <c>wikipedia_documents.json</c> form
/// (<c>{"0": {"text", "title", "document_id", ...}, ...}</c>), JSON Lines (<c>{id, title, text}</c>),
/// and SQuAD/KorQuAD JSON, where every distinct context becomes one document.
/// </summary>
public static class CorpusReader
{
    public static IReadOnlyList<CorpusDocument> Load(string path) =>
        path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) ? [.. ReadJsonl(path)] : LoadJson(path);

    /// <summary>
    /// The documents one at a time: a JSON Lines file is read line by line and never held whole, so
    /// a corpus of millions of passages costs the memory of one line; the JSON forms are one JSON
    /// document each and are parsed whole, as <see cref="Load"/> does.
    /// </summary>
    public static IEnumerable<CorpusDocument> Read(string path) =>
        path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) ? ReadJsonl(path) : LoadJson(path);

    static IReadOnlyList<CorpusDocument> LoadJson(string path)
    {
        var bytes = File.ReadAllBytes(path);
        using var document = JsonNodeReader.Parse(path, bytes);
        var root = new JsonNodeReader(path, document.RootElement, "$").Object();
        bool isSquad = root.Element.TryGetProperty("data", out var data) && data.ValueKind == System.Text.Json.JsonValueKind.Array;
        return isSquad ? FromSquad(SquadJson.Parse(bytes, path)) : ReadWikipediaDocuments(root);
    }

    /// <summary>Each distinct context of a SQuAD dataset, in file order, as a document titled by its article.</summary>
    public static IReadOnlyList<CorpusDocument> FromSquad(SquadDataset dataset)
    {
        var documents = new List<CorpusDocument>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int a = 0; a < dataset.Articles.Count; a++)
        {
            var article = dataset.Articles[a];
            for (int p = 0; p < article.Paragraphs.Count; p++)
            {
                string context = article.Paragraphs[p].Context;
                if (seen.Add(context)) documents.Add(new CorpusDocument($"{a}-{p}", article.Title, context));
            }
        }
        return documents;
    }

    static List<CorpusDocument> ReadWikipediaDocuments(JsonNodeReader root)
    {
        var documents = new List<CorpusDocument>();
        foreach (var (key, value) in root.Members())
        {
            var id = value.Optional("document_id")?.StringOrNumber() ?? key;
            documents.Add(new CorpusDocument(id, value.Optional("title")?.String() ?? "", value.Required("text").String()));
        }
        return documents;
    }

    static IEnumerable<CorpusDocument> ReadJsonl(string path)
    {
        foreach (var (line, utf8) in JsonLines.Read(path))
        {
            using var document = JsonNodeReader.Parse(path, utf8, line);
            var node = new JsonNodeReader(path, document.RootElement, "$", line).Object();
            yield return new CorpusDocument(
                node.Required("id").StringOrNumber(),
                node.Optional("title")?.String() ?? "",
                node.Required("text").String());
        }
    }
}
