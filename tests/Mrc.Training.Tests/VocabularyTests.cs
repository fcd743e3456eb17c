using Mrc.Tests;
using Mrc.Training.Corpora;
using Mrc.Training.Vocabulary;

namespace Mrc.Training.Tests;

public class VocabularyTests
{
    [Fact]
    public void PreTokenizer_SplitsPunctuationAndIdeographs_KeepsHangulWords()
    {
        // No-break space separates words; the zero-width space (a format character) is dropped.
        Assert.Equal(["유희열이", "'", "K팝스타3", "’", "에서", "漢", "字", "!"],
            BertPreTokenizer.Words("유희열이 'K팝스타3’에서\u00a0漢字!\u200b"));
    }

    [Fact]
    public void Trainer_StartsWithSpecialTokensThenCharactersThenMerges()
    {
        var texts = Enumerable.Repeat("서울에서 서울로 서울의 서울은", 5);

        var vocabulary = new WordPieceVocabularyTrainer { VocabularySize = 40, MinFrequency = 2 }.Train(texts);

        Assert.Equal(WordPieceVocabularyTrainer.SpecialTokens, vocabulary.Take(5));
        Assert.Contains("서", vocabulary);
        Assert.Contains("##울", vocabulary);
        Assert.Contains("서울", vocabulary); // the most frequent merge
        Assert.Equal(vocabulary.Count, vocabulary.Distinct().Count());
    }

    [Fact]
    public void Trainer_IsDeterministic()
    {
        var texts = TextCorpusReader.Read(TestData.SharedData("klue", "klue-sts-v1.1_dev.json")).ToList();
        var trainer = new WordPieceVocabularyTrainer { VocabularySize = 3000 };

        Assert.Equal(trainer.Train(texts), trainer.Train(texts));
    }

    [Fact]
    public void Trainer_ReachesTheRequestedSizeOnKoreanText()
    {
        var texts = TextCorpusReader.Read(TestData.KorQuadPartA);

        var vocabulary = new WordPieceVocabularyTrainer { VocabularySize = 6000 }.Train(texts);

        Assert.Equal(6000, vocabulary.Count);
        Assert.Contains("##는", vocabulary); // particles become continuation pieces
        Assert.Contains("##에서", vocabulary);
    }

    [Fact]
    public void Trainer_WithEmptyCorpus_FailsClearly()
    {
        var error = Assert.Throws<ArgumentException>(() => new WordPieceVocabularyTrainer().Train(["   ", ""]));
        Assert.Contains("no text", error.Message);
    }

    [Fact]
    public void Save_WritesFilesHuggingFaceBertTokenizerReads()
    {
        var folder = Directory.CreateTempSubdirectory("mrc-vocab-").FullName;

        WordPieceVocabularyTrainer.Save(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "서"], folder);

        Assert.Equal(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "서"], File.ReadAllLines(Path.Combine(folder, "vocab.txt")));
        using var config = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "tokenizer_config.json")));
        Assert.False(config.RootElement.GetProperty("do_lower_case").GetBoolean()); // lower-casing would decompose Hangul
        Assert.Equal("BertTokenizer", config.RootElement.GetProperty("tokenizer_class").GetString());
    }
}
