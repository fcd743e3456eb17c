using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mrc.Core.Data;

namespace Mrc.Retrieval.Indexing;

/// <summary>A corpus read for indexing: its documents with exact duplicates removed, and where it came from.</summary>
public sealed record IngestedCorpus(
    string Source,
    string Sha256,
    IReadOnlyList<IngestedDocument> Documents,
    int DuplicatesSkipped);

/// <summary>A corpus document and the SHA-256 of its text (lowercase hex).</summary>
public sealed record IngestedDocument(CorpusDocument Document, string TextSha256);

/// <summary>
/// Reads any corpus form <see cref="CorpusReader"/> knows and keeps the first of each set of
/// documents whose texts are identical. Counted here rather than in the reader so that SQuAD files,
/// where the same context can appear under several articles, report their duplicates too.
/// </summary>
public static class CorpusIngest
{
    public static IngestedCorpus Load(string path)
    {
        string sha256 = FileSha256(path);
        var documents = IsSquad(path) ? AllSquadParagraphs(SquadJson.Load(path)) : CorpusReader.Load(path);
        return FromDocuments(Path.GetFileName(path), sha256, documents);
    }

    /// <summary>Removes exact-duplicate and empty texts from documents that came from <paramref name="source"/>.</summary>
    public static IngestedCorpus FromDocuments(string source, string sha256, IEnumerable<CorpusDocument> documents)
    {
        var kept = new List<IngestedDocument>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int duplicates = 0;
        foreach (var document in documents)
        {
            if (string.IsNullOrWhiteSpace(document.Text)) continue;
            string hash = TextSha256(document.Text);
            if (seen.Add(hash)) kept.Add(new IngestedDocument(document, hash));
            else duplicates++;
        }
        return new IngestedCorpus(source, sha256, kept, duplicates);
    }

    public static string TextSha256(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    static string FileSha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>
    /// Every paragraph, duplicates included (ids "article-paragraph" as <see cref="CorpusReader"/>
    /// gives them), so that <see cref="FromDocuments"/> can count what it drops.
    /// </summary>
    static IEnumerable<CorpusDocument> AllSquadParagraphs(SquadDataset dataset)
    {
        for (int a = 0; a < dataset.Articles.Count; a++)
            for (int p = 0; p < dataset.Articles[a].Paragraphs.Count; p++)
                yield return new CorpusDocument($"{a}-{p}", dataset.Articles[a].Title, dataset.Articles[a].Paragraphs[p].Context);
    }

    /// <summary>A SQuAD file has a top-level "data" array; a malformed file is left to the reader, which reports where.</summary>
    static bool IsSquad(string path)
    {
        if (path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase)) return false;
        try
        {
            using var stream = File.OpenRead(path);
            using var document = JsonDocument.Parse(stream);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("data", out var data)
                && data.ValueKind == JsonValueKind.Array;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
