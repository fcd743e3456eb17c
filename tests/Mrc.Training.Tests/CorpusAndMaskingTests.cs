using Mrc.Core.Data;
using Mrc.Tests;
using Mrc.Training.Corpora;
using Mrc.Training.MaskedLm;

namespace Mrc.Training.Tests;

public class CorpusAndMaskingTests
{
    [Theory]
    [InlineData("klue-nli-v1.1_dev.json", 6000)]
    [InlineData("klue-sts-v1.1_dev.json", 1038)]
    [InlineData("klue-ner-v1.1_dev.tsv", 5000)]
    [InlineData("klue-dp-v1.1_dev.tsv", 2000)]
    public void TextCorpusReader_ReadsEveryKlueSentence(string file, int expected)
    {
        var sentences = TextCorpusReader.Read(TestData.SharedData("klue", file)).ToList();

        Assert.Equal(expected, sentences.Count);
        Assert.All(sentences, s => Assert.False(string.IsNullOrWhiteSpace(s)));
    }

    [Fact]
    public void TextCorpusReader_StripsNerEntityMarks()
    {
        var first = TextCorpusReader.Read(TestData.SharedData("klue", "klue-ner-v1.1_dev.tsv")).First();

        Assert.StartsWith("경찰은 또 성매매 알선 자금을 관리한 박씨의 딸(32)과", first);
    }

    [Fact]
    public void TextCorpusReader_ReadsKorQuadContextsOnce()
    {
        Assert.Equal(CorpusReader.Load(TestData.KorQuadPartA).Count, TextCorpusReader.Read(TestData.KorQuadPartA).Count());
    }

    [Fact]
    public void TextCorpusReader_WithUnreadableJsonl_NamesTheLine()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("mrc-corpus-").FullName, "c.jsonl");
        File.WriteAllText(path, "{\"text\": \"좋다\"}\n{\"title\": \"no text\"}\n");

        var error = Assert.Throws<DataFormatException>(() => TextCorpusReader.Read(path).ToList());
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public void TextCorpusReader_WithMissingFile_SaysSo()
    {
        Assert.Throws<FileNotFoundException>(() => TextCorpusReader.Read("/nonexistent/corpus.txt"));
    }

    [Fact]
    public void Masker_FollowsBertProportions()
    {
        var special = new HashSet<long> { 0, 1, 2, 3, 4 };
        var masker = new MlmMasker(vocabularySize: 1000, maskId: 4, special, seed: 13);
        var ids = Enumerable.Range(0, 200_000).Select(i => (long)(5 + i % 995)).ToArray();
        ids[0] = 2; ids[^1] = 3;

        var masked = masker.Mask(ids);

        int picked = 0, toMask = 0, kept = 0, replaced = 0;
        for (int i = 0; i < ids.Length; i++)
        {
            if (masked.Labels[i] == MlmMasker.IgnoreLabel) { Assert.Equal(ids[i], masked.InputIds[i]); continue; }
            picked++;
            Assert.Equal(ids[i], masked.Labels[i]);
            if (masked.InputIds[i] == 4) toMask++;
            else if (masked.InputIds[i] == ids[i]) kept++;
            else { replaced++; Assert.DoesNotContain(masked.InputIds[i], special); }
        }
        Assert.Equal(MlmMasker.IgnoreLabel, masked.Labels[0]); // [CLS] and [SEP] are never picked
        Assert.Equal(MlmMasker.IgnoreLabel, masked.Labels[^1]);
        Assert.InRange(picked / (double)ids.Length, 0.145, 0.155);
        Assert.InRange(toMask / (double)picked, 0.79, 0.81);
        Assert.InRange(replaced / (double)picked, 0.09, 0.11);
        Assert.InRange(kept / (double)picked, 0.09, 0.11);
    }

    [Fact]
    public void Packer_FillsEverySequenceExactly()
    {
        var texts = new List<IReadOnlyList<long>> { new long[] { 10, 11, 12 }, new long[] { 20, 21 }, new long[] { 30, 31, 32, 33 } };

        var sequences = SequencePacker.Pack(texts, maxLength: 6, clsId: 2, sepId: 3).ToList();

        // Stream: 10 11 12 [SEP] 20 21 [SEP] 30 31 32 33 [SEP] in blocks of 4, each wrapped in [CLS] .. [SEP].
        Assert.Equal([[2, 10, 11, 12, 3, 3], [2, 20, 21, 3, 30, 3], [2, 31, 32, 33, 3, 3]], sequences);
    }

    [Fact]
    public void Curriculum_SortsByContextLengthAndKeepsFileOrderOnTies()
    {
        var examples = new[] { ("a", "긴 문맥입니다"), ("b", "짧다"), ("c", "중간 길이"), ("d", "짧음") };

        var ordered = CurriculumOrder.ByContextLength(examples, e => e.Item2);

        Assert.Equal(["b", "d", "c", "a"], ordered.Select(e => e.Item1));
    }
}
