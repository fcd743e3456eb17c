using System.Text.Encodings.Web;
using System.Text.Json;
using Mrc.Tests;

namespace Mrc.Reader.Tests.Reference;

/// <summary>One text as Hugging Face encodes it: ids and code-point offsets, no special tokens.</summary>
internal sealed record ReferenceEncoding(int[] Ids, int[][] Offsets);

/// <summary>
/// Hugging Face's Rust tokenizers through their Node binding (tools/hf-tokenizers, installed with
/// npm ci there): reference encodings and byte-level BPE training.
/// </summary>
internal static class HfTokenizers
{
    static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    static readonly SemaphoreSlim Install = new(1, 1);

    static string Folder => Path.Combine(TestData.RepositoryRoot, "tools", "hf-tokenizers");

    public static async Task<IReadOnlyList<ReferenceEncoding>> EncodeAsync(string tokenizerJson, IReadOnlyList<string> texts, string scratch)
    {
        await EnsureInstalledAsync();
        var input = Path.Combine(scratch, $"texts-{Guid.NewGuid():N}.jsonl");
        var output = Path.ChangeExtension(input, ".out.jsonl");
        await File.WriteAllLinesAsync(input, texts.Select(t => JsonSerializer.Serialize(t, Json)));
        await ReferencePrograms.RunAsync("node", ["reference.mjs", "encode", tokenizerJson, input, output], Folder, TimeSpan.FromMinutes(2));
        var results = new List<ReferenceEncoding>(texts.Count);
        foreach (var line in await File.ReadAllLinesAsync(output))
        {
            if (line.Length == 0) continue;
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            results.Add(new ReferenceEncoding(
                [.. root.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32())],
                [.. root.GetProperty("offsets").EnumerateArray().Select(o => new[] { o[0].GetInt32(), o[1].GetInt32() })]));
        }
        if (results.Count != texts.Count) throw new InvalidOperationException($"reference returned {results.Count} encodings for {texts.Count} texts");
        return results;
    }

    /// <summary>Byte-level BPE learnt by the library's trainer: tokenizer.json, vocab.json and merges.txt in <paramref name="folder"/>.</summary>
    public static async Task TrainByteLevelBpeAsync(string corpus, string folder, int merges)
    {
        await EnsureInstalledAsync();
        await ReferencePrograms.RunAsync("node", ["reference.mjs", "train-bpe", corpus, folder, merges.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            Folder, TimeSpan.FromMinutes(3));
    }

    static async Task EnsureInstalledAsync()
    {
        await Install.WaitAsync();
        try
        {
            if (Directory.Exists(Path.Combine(Folder, "node_modules", "tokenizers"))) return;
            await ReferencePrograms.RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], Folder, TimeSpan.FromMinutes(5));
        }
        finally
        {
            Install.Release();
        }
    }
}
