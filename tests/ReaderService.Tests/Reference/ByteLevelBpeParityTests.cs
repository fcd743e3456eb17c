using System.Text.Json.Nodes;
using Mrc.Reading.Tokenization;
using Xunit.Abstractions;

namespace Mrc.Reader.Tests.Reference;

/// <summary>
/// Byte-level BPE (RoBERTa / GPT-2) against Hugging Face's tokenizers on every context and question
/// of KorQuAD part a: ids and offsets, from tokenizer.json and from vocab.json + merges.txt, with and
/// without add_prefix_space. The BPE is learnt by Hugging Face's trainer on part a's contexts.
/// </summary>
public class ByteLevelBpeParityTests(ITestOutputHelper output)
{
    [RequiresProgramsFact("node")]
    public async Task IdsAndOffsets_FromTokenizerJson_EqualHuggingFaceOnEveryPartAText()
    {
        var folder = await TrainedReferenceModels.ByteLevelBpeAsync();
        var report = await CompareAsync(PartATexts.All, Path.Combine(folder, "tokenizer.json"),
            ByteLevelBpeTokenizer.FromTokenizerJson(Path.Combine(folder, "tokenizer.json"), new TokenizerConfig()), "HF tokenizers vs tokenizer.json (BPE), part a");
        Assert.True(report.Texts >= 5900);
        report.AssertNoDifference();
    }

    [RequiresProgramsFact("node")]
    public async Task IdsAndOffsets_FromVocabAndMerges_EqualHuggingFaceOnEveryPartAText()
    {
        var folder = await TrainedReferenceModels.ByteLevelBpeAsync();
        var scratch = TrainedReferenceModels.Scratch();
        File.Copy(Path.Combine(folder, "vocab.json"), Path.Combine(scratch, "vocab.json"));
        File.Copy(Path.Combine(folder, "merges.txt"), Path.Combine(scratch, "merges.txt"));
        var tokenizer = Assert.IsType<ByteLevelBpeTokenizer>(TokenizerLoader.FromFolder(scratch));
        var report = await CompareAsync(PartATexts.All, Path.Combine(folder, "tokenizer.json"), tokenizer, "HF tokenizers vs vocab.json + merges.txt, part a");
        report.AssertNoDifference();
    }

    [RequiresProgramsFact("node")]
    public async Task IdsAndOffsets_WithAddPrefixSpace_EqualHuggingFaceOnEveryPartAText()
    {
        var folder = await TrainedReferenceModels.ByteLevelBpeAsync();
        var scratch = TrainedReferenceModels.Scratch();
        var json = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "tokenizer.json")))!;
        json["pre_tokenizer"]!["add_prefix_space"] = true;
        json["post_processor"]!["add_prefix_space"] = true;
        var path = Path.Combine(scratch, "tokenizer.json");
        await File.WriteAllTextAsync(path, json.ToJsonString());
        var tokenizer = Assert.IsType<ByteLevelBpeTokenizer>(TokenizerLoader.FromFolder(scratch));
        Assert.True(tokenizer.AddPrefixSpace);
        var report = await CompareAsync([.. PartATexts.All, .. PartATexts.EdgeCases], path, tokenizer, "HF tokenizers vs tokenizer.json with add_prefix_space, part a + edge cases");
        report.AssertNoDifference();
    }

    [RequiresProgramsFact("node")]
    public async Task IdsAndOffsets_OnEdgeCases_EqualHuggingFace()
    {
        var folder = await TrainedReferenceModels.ByteLevelBpeAsync();
        var path = Path.Combine(folder, "tokenizer.json");
        var report = await CompareAsync(PartATexts.EdgeCases, path, ByteLevelBpeTokenizer.FromTokenizerJson(path, new TokenizerConfig()), "HF tokenizers vs tokenizer.json (BPE), edge cases");
        report.AssertNoDifference();
    }

    async Task<ParityReport> CompareAsync(IReadOnlyList<string> texts, string referenceJson, ByteLevelBpeTokenizer tokenizer, string name)
    {
        var expected = await HfTokenizers.EncodeAsync(referenceJson, texts, TrainedReferenceModels.Scratch());
        var report = new ParityReport(name);
        for (var i = 0; i < texts.Count; i++) report.Compare(texts[i], tokenizer.Encode(texts[i]), expected[i].Ids, expected[i].Offsets, tokenizer.IdToToken);
        report.WriteTo(output);
        return report;
    }
}
