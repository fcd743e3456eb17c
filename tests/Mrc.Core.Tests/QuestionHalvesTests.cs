using Mrc.Core.Data;

namespace Mrc.Core.Tests;

public class QuestionHalvesTests
{
    static QuestionExample Q(string id, string title) => new(id, "q", [], Title: title);

    [Fact]
    public void SelectByArticle_PutsTheFirstHalfOfTheSortedTitlesFirst_AndNoArticleInBoth()
    {
        // Titles in ordinal order: 가 < 나 < 다 (U+AC00 < U+B098 < U+B2E4); ⌈3/2⌉ = 2 articles go first.
        QuestionExample[] questions = [Q("1", "다"), Q("2", "가"), Q("3", "나"), Q("4", "가"), Q("5", "다")];

        var first = QuestionHalves.SelectByArticle(questions, QuestionHalf.First);
        var second = QuestionHalves.SelectByArticle(questions, QuestionHalf.Second);

        Assert.Equal(["2", "3", "4"], first.Select(q => q.Id));
        Assert.Equal(["1", "5"], second.Select(q => q.Id));
        Assert.Equal(questions, QuestionHalves.SelectByArticle(questions, QuestionHalf.All));
    }
}
