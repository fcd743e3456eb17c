using System.Buffers.Binary;
using System.Collections;
using System.Security.Cryptography;
using System.Text;
using Mrc.Core.Data;

namespace Mrc.Retrieval.Indexing;

/// <summary>
/// A corpus to index: where it came from and a way to read its documents. Reading is lazy and
/// streams (see <see cref="CorpusReader.Read"/>), so indexing a corpus of millions of passages never
/// holds it in memory; each <see cref="Read"/> reads the source again from the start.
/// </summary>
public sealed class IngestedCorpus(string source, string sha256, Func<IEnumerable<CorpusDocument>> open)
{
    public string Source { get; } = source;
    public string Sha256 { get; } = sha256;

    /// <summary>The documents in source order with exact duplicates and empty texts left out, read as they are enumerated.</summary>
    public DistinctDocuments Read() => new(open());
}

/// <summary>A corpus document and the SHA-256 of its text (lowercase hex).</summary>
public sealed record IngestedDocument(CorpusDocument Document, string TextSha256);

/// <summary>
/// One pass over a corpus that keeps the first of each set of documents whose texts are identical
/// and counts the rest. What it keeps per document is a 16-byte fingerprint of the text (the first
/// 128 bits of its SHA-256), never the text, so a million documents cost about 40 MB here; a chance
/// collision of two different texts is about one in 10^26 at that size. Enumerable once.
/// </summary>
public sealed class DistinctDocuments(IEnumerable<CorpusDocument> documents) : IEnumerable<IngestedDocument>
{
    bool started;

    /// <summary>Documents left out so far because an earlier one had the same text.</summary>
    public long DuplicatesSkipped { get; private set; }

    /// <summary>Documents given out so far.</summary>
    public long Kept { get; private set; }

    public IEnumerator<IngestedDocument> GetEnumerator()
    {
        if (started) throw new InvalidOperationException("A corpus pass can be enumerated once; call IngestedCorpus.Read() again.");
        started = true;
        return Distinct();
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    IEnumerator<IngestedDocument> Distinct()
    {
        var seen = new HashSet<UInt128>();
        foreach (var document in documents)
        {
            if (string.IsNullOrWhiteSpace(document.Text)) continue;
            byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(document.Text));
            if (!seen.Add(BinaryPrimitives.ReadUInt128BigEndian(hash)))
            {
                DuplicatesSkipped++;
                continue;
            }
            Kept++;
            yield return new IngestedDocument(document, Convert.ToHexStringLower(hash));
        }
    }
}

/// <summary>
/// Opens any corpus form <see cref="CorpusReader"/> knows for indexing. Duplicates are removed in
/// <see cref="DistinctDocuments"/> rather than in the reader so that SQuAD files, where the same
/// context can appear under several articles, report their duplicates too.
/// </summary>
public static class CorpusIngest
{
    /// <summary>The corpus at <paramref name="path"/>; its SHA-256 is computed now (streamed), its documents when read.</summary>
    public static IngestedCorpus Load(string path, int? firstDocuments = null)
    {
        if (firstDocuments is <= 0) throw new ArgumentOutOfRangeException(nameof(firstDocuments), firstDocuments, "Give a positive number of documents.");
        string sha256 = FileSha256(path);
        bool squad = !path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) && CorpusReader.IsSquad(path);
        IEnumerable<CorpusDocument> Open()
        {
            var documents = squad ? AllSquadParagraphs(SquadJson.Load(path)) : CorpusReader.Read(path);
            return firstDocuments is { } n ? documents.Take(n) : documents;
        }
        string source = firstDocuments is { } count ? $"{Path.GetFileName(path)} (first {count} documents)" : Path.GetFileName(path);
        return new IngestedCorpus(source, sha256, Open);
    }

    /// <summary>Documents already in memory (tests, small corpora made in code), from <paramref name="source"/>.</summary>
    public static IngestedCorpus FromDocuments(string source, string sha256, IEnumerable<CorpusDocument> documents)
    {
        var list = documents.ToList();
        return new IngestedCorpus(source, sha256, () => list);
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
    /// gives them), so that <see cref="DistinctDocuments"/> can count what it drops.
    /// </summary>
    static IEnumerable<CorpusDocument> AllSquadParagraphs(SquadDataset dataset)
    {
        for (int a = 0; a < dataset.Articles.Count; a++)
            for (int p = 0; p < dataset.Articles[a].Paragraphs.Count; p++)
                yield return new CorpusDocument($"{a}-{p}", dataset.Articles[a].Title, dataset.Articles[a].Paragraphs[p].Context);
    }
}
