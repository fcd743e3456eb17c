using Mrc.Reading.Tokenization;
using Xunit.Abstractions;

namespace Mrc.Reader.Tests.Reference;

/// <summary>
/// SentencePiece Unigram (XLM-R) against its two references on every context and question of
/// KorQuAD part a: sentencepiece itself (spm_encode) for the <c>.model</c> path, and Hugging Face's
/// tokenizers for the tokenizer.json path (ids and offsets). The model is learnt by spm_train on
/// part a's contexts.
/// </summary>
public class SentencePieceParityTests(ITestOutputHelper output)
{
    [RequiresProgramsFact("spm_train", "spm_encode")]
    public async Task Ids_FromSentencePieceModel_EqualSpmEncodeOnEveryPartAText()
    {
        var report = await CompareWithSpmEncodeAsync(PartATexts.All, "spm_encode vs sentencepiece.bpe.model, part a");
        Assert.True(report.Texts >= 5900);
        report.AssertNoDifference();
    }

    [RequiresProgramsFact("spm_train", "spm_encode")]
    public async Task Ids_FromSentencePieceModel_EqualSpmEncodeOnEdgeCases()
    {
        var report = await CompareWithSpmEncodeAsync(PartATexts.EdgeCases, "spm_encode vs sentencepiece.bpe.model, edge cases");
        report.AssertNoDifference();
    }

    [RequiresProgramsFact("spm_train", "node")]
    public async Task IdsAndOffsets_FromXlmRobertaTokenizerJson_EqualHuggingFaceOnEveryPartAText()
    {
        var report = await CompareWithHuggingFaceAsync(PartATexts.All, nfkc: false, "HF tokenizers vs tokenizer.json (Precompiled), part a");
        Assert.True(report.Texts >= 5900);
        report.AssertNoDifference();
    }

    [RequiresProgramsFact("spm_train", "node")]
    public async Task IdsAndOffsets_FromXlmRobertaTokenizerJson_EqualHuggingFaceOnEdgeCases()
    {
        var report = await CompareWithHuggingFaceAsync(PartATexts.EdgeCases, nfkc: false, "HF tokenizers vs tokenizer.json (Precompiled), edge cases");
        report.AssertNoDifference();
    }

    [RequiresProgramsFact("spm_train", "node")]
    public async Task IdsAndOffsets_WithNfkcNormalizer_EqualHuggingFaceOnEveryPartAText()
    {
        var report = await CompareWithHuggingFaceAsync(PartATexts.All, nfkc: true, "HF tokenizers vs tokenizer.json (NFKC), part a");
        report.AssertNoDifference();
    }

    async Task<ParityReport> CompareWithSpmEncodeAsync(IReadOnlyList<string> texts, string name)
    {
        var model = await TrainedReferenceModels.SentencePieceAsync();
        var scratch = TrainedReferenceModels.Scratch();
        // spm_encode reads one text per line: a line break inside a text is given to both as a space.
        var lines = texts.Select(t => t.Replace('\n', ' ').Replace('\r', ' ')).ToList();
        var input = Path.Combine(scratch, "texts.txt");
        await File.WriteAllLinesAsync(input, lines);
        var encoded = await ReferencePrograms.RunAsync("spm_encode", [$"--model={model}", "--output_format=id", $"--input={input}"], scratch, TimeSpan.FromMinutes(2));
        var expected = encoded.Split('\n').Take(lines.Count).ToList();
        Assert.Equal(lines.Count, expected.Count);

        var tokenizer = SentencePieceTokenizer.FromSentencePieceModel(model);
        var report = new ParityReport(name);
        for (var i = 0; i < lines.Count; i++)
        {
            // sentencepiece ids to XLM-R's: <unk> (0) is 3, every other piece moves up by one.
            var ids = expected[i].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).Select(id => id == 0 ? 3 : id + 1).ToArray();
            report.Compare(lines[i], tokenizer.Encode(lines[i]), ids, expectedOffsets: null, tokenizer.IdToToken);
        }
        report.WriteTo(output);
        return report;
    }

    async Task<ParityReport> CompareWithHuggingFaceAsync(IReadOnlyList<string> texts, bool nfkc, string name)
    {
        var model = await TrainedReferenceModels.SentencePieceAsync();
        var scratch = TrainedReferenceModels.Scratch();
        var json = XlmRobertaTokenizerJson.Write(model, Path.Combine(scratch, "tokenizer.json"), nfkc);
        var expected = await HfTokenizers.EncodeAsync(json, texts, scratch);
        var tokenizer = (SentencePieceTokenizer)TokenizerLoader.FromFolder(scratch);
        var report = new ParityReport(name);
        for (var i = 0; i < texts.Count; i++) report.Compare(texts[i], tokenizer.Encode(texts[i]), expected[i].Ids, expected[i].Offsets, tokenizer.IdToToken);
        report.WriteTo(output);
        return report;
    }
}
