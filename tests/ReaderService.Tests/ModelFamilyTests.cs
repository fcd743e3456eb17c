using Mrc.Core.Pipeline;
using Mrc.Reading.Inference;
using Mrc.Reading.Models;
using Mrc.Reading.Tokenization;
using Mrc.Reader.Tests.Support;

namespace Mrc.Reader.Tests;

/// <summary>
/// XLM-R (SentencePiece) and RoBERTa (byte-level BPE) model folders load through the one factory and
/// read: windows framed as HF frames them for these families, answers cut from the passage.
/// </summary>
public class ModelFamilyTests
{
    const string Context = "대한민국의 수도는 서울이다. 세종대왕은 훈민정음을 1443년에 만들었다.";
    const string Question = "대한민국의 수도는 어디인가?";

    [Fact]
    public async Task XlmRobertaFolder_WithSentencePieceModel_LoadsAndAnswersWithPassageSpans()
    {
        using var folder = new TempFolder();
        TinyTokenizerFiles.WriteXlmRobertaFolder(folder.Path, seed: 5, Context, Question);

        await using var reader = ReaderFactory.Load(folder.Path, "cpu");

        Assert.IsType<SentencePieceTokenizer>(reader.Tokenizer);
        Assert.Equal("xlm-roberta", reader.Config.ModelType);
        await AssertAnswersArePassageSpans(reader);
    }

    [Fact]
    public async Task RobertaFolder_WithVocabAndMerges_LoadsAndAnswersWithPassageSpans()
    {
        using var folder = new TempFolder();
        TinyTokenizerFiles.WriteRobertaBpeFolder(folder.Path, seed: 6, Context, Question);

        await using var reader = ReaderFactory.Load(folder.Path, "cpu");

        Assert.IsType<ByteLevelBpeTokenizer>(reader.Tokenizer);
        await AssertAnswersArePassageSpans(reader);
    }

    [Fact]
    public async Task XlmRobertaWindows_AreStartQuestionTwoSeparatorsContextSeparator_WithTypeZero()
    {
        using var folder = new TempFolder();
        TinyTokenizerFiles.WriteXlmRobertaFolder(folder.Path, seed: 5, Context, Question);
        await using var reader = ReaderFactory.Load(folder.Path, "cpu");
        var question = reader.Tokenizer.Encode(Question).Ids;
        var context = reader.Tokenizer.Encode(Context);

        var windows = QaFeatures.Prepare(reader.Tokenizer, Question, Context, max_seq_length: question.Length + 4 + 4, doc_stride: 2, template: reader.Engine.Pair);

        Assert.True(windows.Count > 1);
        foreach (var window in windows)
        {
            Assert.True(window.Length <= question.Length + 8);
            // <s> = 0, </s> = 2 in fairseq's layout.
            Assert.Equal([0, .. question, 2, 2], window.InputIds[..(question.Length + 3)]);
            Assert.Equal(2, window.InputIds[^1]);
            Assert.All(window.TokenTypeIds, t => Assert.Equal(0, t));
            Assert.All(window.OffsetMapping[..(question.Length + 3)], o => Assert.Null(o));
            Assert.Null(window.OffsetMapping[^1]);
        }
        var contextIds = windows[0].InputIds[(question.Length + 3)..^1];
        Assert.Equal(context.Ids[..contextIds.Length], contextIds);
    }

    [Fact]
    public void PairTemplate_OfATwoTypeModel_KeepsBertTypes_AndOfAOneTypeModel_UsesTypeZero()
    {
        var bert = PairTemplate.Bert(clsId: 2, sepId: 3);

        Assert.Equal(1, bert.ForTypeVocabulary(2).SecondTypeId);
        Assert.Equal(0, bert.ForTypeVocabulary(1).SecondTypeId);
        Assert.Equal(4, PairTemplate.Roberta(0, 2).SpecialTokenCount);
        Assert.Equal(3, bert.SpecialTokenCount);
    }

    static async Task AssertAnswersArePassageSpans(LocalReader reader)
    {
        var answers = await reader.Engine.ReadAsync(Question, [new PassageInput("p", Context)], new ReadSettings(), CancellationToken.None);

        Assert.NotEmpty(answers);
        Assert.All(answers, a => Assert.Equal(Context[a.StartChar..a.EndChar], a.Text));
        Assert.All(answers, a => Assert.False(string.IsNullOrWhiteSpace(a.Text)));
    }
}
