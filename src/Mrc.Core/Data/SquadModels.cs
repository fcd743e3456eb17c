namespace Mrc.Core.Data;

/// <summary>A gold answer: its text and where it starts in the paragraph's context.</summary>
public sealed record GoldAnswer(string Text, int AnswerStart);

/// <summary>One question with its gold answers (SQuAD "qas" entry).</summary>
public sealed record QuestionAnswers(string Id, string Question, IReadOnlyList<GoldAnswer> Answers);

/// <summary>A context paragraph with the questions asked about it.</summary>
public sealed record Paragraph(string Context, IReadOnlyList<QuestionAnswers> Questions);

/// <summary>A titled article made of paragraphs.</summary>
public sealed record Article(string Title, IReadOnlyList<Paragraph> Paragraphs);

/// <summary>A SQuAD v1.1 / KorQuAD 1.0 dataset.</summary>
public sealed record SquadDataset(string Version, IReadOnlyList<Article> Articles)
{
    /// <summary>Every question in file order, with its context and title.</summary>
    public IEnumerable<QuestionExample> Examples()
    {
        foreach (var article in Articles)
            foreach (var paragraph in article.Paragraphs)
                foreach (var qa in paragraph.Questions)
                    yield return new QuestionExample(qa.Id, qa.Question, qa.Answers, paragraph.Context, article.Title);
    }

    public int QuestionCount => Articles.Sum(a => a.Paragraphs.Sum(p => p.Questions.Count));
}

/// <summary>
/// A question flattened out of its dataset: the unit of evaluation and of JSONL files.
/// Context and title are optional (open-domain questions come without them).
/// </summary>
public sealed record QuestionExample(
    string Id,
    string Question,
    IReadOnlyList<GoldAnswer> Answers,
    string? Context = null,
    string? Title = null);

/// <summary>A corpus document for retrieval: one Wikipedia article or any titled text.</summary>
public sealed record CorpusDocument(string Id, string Title, string Text);
