namespace Mrc.Core.Data;

/// <summary>
/// Reads retrieval corpora: the <c>wikipedia_documents.json</c> form
/// (<c>{"0": {"text", "title", "document_id", ...}, ...}</c>), JSON Lines (<c>{id, title, text}</c>),
/// and SQuAD/KorQuAD JSON, where every distinct context becomes one document.
/// </summary>
public static class CorpusReader
{
    public static IReadOnlyList<CorpusDocument> Load(string path) => [.. Read(path)];

    /// <summary>
    /// The documents one at a time. JSON Lines is read line by line and <c>wikipedia_documents.json</c>
    /// member by member, never whole, so a corpus of millions of passages costs the memory of one
    /// document; a SQuAD file is a dataset rather than a corpus and is parsed whole. The form is
    /// found now (a JSON file's top-level member names are streamed once); the documents are read
    /// as they are enumerated.
    /// </summary>
    public static IEnumerable<CorpusDocument> Read(string path)
    {
        if (path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase)) return ReadJsonl(path);
        return IsSquad(path) ? FromSquad(SquadJson.Load(path)) : ReadWikipediaDocuments(path);
    }

    /// <summary>Whether a JSON file is SQuAD-shaped: a top-level object with a "data" array. Malformed JSON fails with its line and column.</summary>
    public static bool IsSquad(string path)
    {
        using var members = new JsonObjectStream(path);
        while (members.Next(out var name, out _, out var kind, parseValue: false))
            if (name == "data" && kind == System.Text.Json.JsonValueKind.Array) return true;
        return false;
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

    static IEnumerable<CorpusDocument> ReadWikipediaDocuments(string path)
    {
        using var members = new JsonObjectStream(path);
        while (members.Next(out var key, out var document, out _))
        {
            CorpusDocument read;
            using (document)
            {
                var value = new JsonNodeReader(path, document!.RootElement, $"$[\"{key}\"]");
                read = new CorpusDocument(
                    value.Optional("document_id")?.StringOrNumber() ?? key,
                    value.Optional("title")?.String() ?? "",
                    value.Required("text").String());
            }
            yield return read;
        }
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
