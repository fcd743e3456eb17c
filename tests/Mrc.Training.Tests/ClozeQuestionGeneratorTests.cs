using Mrc.Core.Data;
using Mrc.Tests;
using Mrc.Training.ReaderTraining;
using Mrc.Training.Synthetic;
using Mrc.Training.Text;

namespace Mrc.Training.Tests;

public sealed class ClozeQuestionGeneratorTests
{
    static readonly SquadDataset PartA = SquadJson.Load(TestData.KorQuadPartA);

    [Fact]
    public void EveryAnswer_IsAtItsAnswerStart_AndTheQuestionHasTheGapInstead()
    {
        var synthetic = new ClozeQuestionGenerator(seed: 7).Generate(PartA, perParagraph: 3);
        var examples = synthetic.Examples().ToList();

        Assert.True(examples.Count > 2_000, $"only {examples.Count} questions");
        QaTrainingFeatures.Validate(examples, "synthetic"); // code-point answer_start, as KorQuAD
        Assert.All(examples, e =>
        {
            Assert.Contains("무엇", e.Question);
            Assert.EndsWith("?", e.Question);
            Assert.True(e.Answers[0].Text.Length >= 2);
        });
        Assert.Equal(examples.Count, examples.Select(e => e.Id).Distinct().Count());
    }

    [Fact]
    public void AtMostPerParagraph_AndTheSameSeedGivesTheSameQuestions()
    {
        var first = new ClozeQuestionGenerator(seed: 1).Generate(PartA, perParagraph: 2);
        var again = new ClozeQuestionGenerator(seed: 1).Generate(PartA, perParagraph: 2);
        var other = new ClozeQuestionGenerator(seed: 2).Generate(PartA, perParagraph: 2);

        Assert.All(first.Articles.SelectMany(a => a.Paragraphs), p => Assert.InRange(p.Questions.Count, 1, 2));
        Assert.Equal(Flatten(first), Flatten(again));
        Assert.NotEqual(Flatten(first), Flatten(other));
    }

    [Fact]
    public void TheAnswerIsANounWithoutItsParticle_AndTheQuestionKeepsTheParticle()
    {
        const string context = "조선은 1392년에 이성계가 세운 나라이다. 수도는 한양이었다.";
        var dataset = new SquadDataset("t", [new Article("조선", [new Paragraph(context, [])])]);

        var questions = Enumerable.Range(0, 40)
            .SelectMany(seed => new ClozeQuestionGenerator(seed).Generate(dataset, 1).Examples())
            .Select(e => (e.Question, e.Answers[0].Text)).Distinct().ToList();

        Assert.Contains(("무엇은 1392년에 이성계가 세운 나라이다?", "조선"), questions);
        Assert.Contains(("조선은 무엇에 이성계가 세운 나라이다?", "1392년"), questions);
        Assert.Contains(("조선은 1392년에 무엇가 세운 나라이다?", "이성계"), questions);
        Assert.DoesNotContain(questions, q => q.Text is "세운" or "수도"); // no particle, too few words
    }

    [Fact]
    public void SentenceSpans_AreTrimmed_AndEndAtSentencePunctuationOrLineBreaks()
    {
        const string text = " 첫 문장이다. 둘째? 3.14는 수다!\n넷째 ";
        var sentences = SentenceSpans.Find(text).Select(s => text.Substring(s.Start, s.Length)).ToArray();
        Assert.Equal(["첫 문장이다.", "둘째?", "3.14는 수다!", "넷째"], sentences);
    }

    [Fact]
    public void WithContextSentences_EachQuestionGetsItsSentenceAndItsNeighbours()
    {
        const string context = "첫째 문장은 짧다. 조선은 1392년에 이성계가 세운 나라이다. 수도는 한양이었다. 넷째 문장도 있다.";
        var dataset = new SquadDataset("t", [new Article("조선", [new Paragraph(context, [])])]);

        var paragraphs = Enumerable.Range(0, 20)
            .SelectMany(seed => new ClozeQuestionGenerator(seed).Generate(dataset, 1, contextSentences: 1).Articles[0].Paragraphs)
            .ToList();

        // Only the second sentence has a usable answer word; one sentence on each side of it is kept.
        Assert.All(paragraphs, p =>
        {
            Assert.Equal("첫째 문장은 짧다. 조선은 1392년에 이성계가 세운 나라이다. 수도는 한양이었다.", p.Context);
            var answer = Assert.Single(Assert.Single(p.Questions).Answers);
            Assert.Equal(answer.Text, p.Context.Substring(answer.AnswerStart, answer.Text.Length)); // Hangul and digits only: code points = chars
        });
        Assert.Contains(paragraphs, p => p.Questions[0].Answers[0] == new GoldAnswer("1392년", 15));
    }

    [Fact]
    public void CorpusSentences_AreGroupedInOrder_AndEndWithPunctuation()
    {
        var dataset = ClozeQuestionGenerator.ParagraphsOf(["하나", " 둘이다. ", "", "셋?", "넷"], sentencesPerParagraph: 2, "corpus");
        Assert.Equal(["하나. 둘이다.", "셋? 넷."], dataset.Articles.Single().Paragraphs.Select(p => p.Context));
    }

    static string[] Flatten(SquadDataset dataset) =>
        dataset.Examples().Select(e => $"{e.Id}|{e.Question}|{e.Answers[0].Text}|{e.Answers[0].AnswerStart}").ToArray();
}
