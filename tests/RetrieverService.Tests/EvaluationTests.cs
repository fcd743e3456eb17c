using Mrc.Retrieval.Evaluation;
using Mrc.Retrieval.Indexing;
using Mrc.Retrieval.Lifecycle;
using Mrc.Retrieval.Search;
using Mrc.Retriever.Tests.Support;
using Mrc.Core.Data;

namespace Mrc.Retriever.Tests;

public class EvaluationTests
{
    [Fact]
    public void Select_Halves_AreDisjointCoverEveryQuestionAndIgnoreFileOrder()
    {
        var questions = PartA.All.Examples().ToList();

        var first = QuestionHalves.Select(questions, QuestionHalf.First);
        var second = QuestionHalves.Select(questions, QuestionHalf.Second);
        var firstOfReversed = QuestionHalves.Select(questions.AsEnumerable().Reverse().ToList(), QuestionHalf.First);

        Assert.Equal(5110, questions.Count);
        Assert.Equal((2555, 2555), (first.Count, second.Count));
        Assert.Empty(first.Select(q => q.Id).Intersect(second.Select(q => q.Id)));
        Assert.Equal(first.Select(q => q.Id), firstOfReversed.Select(q => q.Id));
        Assert.True(string.CompareOrdinal(first[^1].Id, second[0].Id) < 0);
    }

    [Fact]
    public void FirstHitRank_WithChunkedGoldParagraph_CountsOnlyThePassageCoveringTheAnswer()
    {
        using var temp = new TempDirectory();
        PartA.BuildIndex(temp.Path, temp.Combine("index"), 0, 2, new IndexBuildOptions { ChunkSize = 150, ChunkOverlap = 20 });
        using var host = IndexHost.Open(temp.Combine("index"));
        var searcher = new PassageSearcher(host, ScoringSettings.Tuned);
        var questions = PartA.Articles(0, 2).Examples().ToList();
        int judged = 0;

        foreach (var question in questions)
        {
            var hits = searcher.Search(question.Question, 20).Hits;
            int rank = RetrievalEvaluator.FirstHitRank(hits, question);
            var answer = question.Answers[0];
            string gold = CorpusIngest.TextSha256(question.Context!);
            bool Covers(IndexedPassage p) => p.DocumentSha256 == gold && p.StartChar <= answer.AnswerStart && answer.AnswerStart + answer.Text.Length <= p.EndChar;
            Assert.All(hits.Take(Math.Max(rank - 1, 0)), h => Assert.False(Covers(h.Passage)));
            if (rank == 0) continue;
            Assert.True(Covers(hits[rank - 1].Passage));
            Assert.Equal(answer.Text, hits[rank - 1].Passage.Text.Substring(answer.AnswerStart - hits[rank - 1].Passage.StartChar, answer.Text.Length));
            judged++;
        }
        Assert.True(judged > questions.Count * 0.9, $"{judged} of {questions.Count} found in the top 20");
    }

    [Fact]
    public void Evaluate_WithoutGoldParagraphs_SaysWhatItNeeds()
    {
        using var temp = new TempDirectory();
        PartA.BuildIndex(temp.Path, temp.Combine("index"), 0, 1);
        using var host = IndexHost.Open(temp.Combine("index"));
        var openDomain = PartA.Articles(0, 1).Examples().Select(q => q with { Context = null }).ToList();

        var error = Assert.Throws<ArgumentException>(() => RetrievalEvaluator.Evaluate(new PassageSearcher(host, ScoringSettings.Tuned), openDomain, [1]));
        Assert.Contains("gold paragraph", error.Message, StringComparison.Ordinal);
    }
}
