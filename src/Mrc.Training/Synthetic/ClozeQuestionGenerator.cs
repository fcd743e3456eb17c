using System.Buffers;
using System.Text;
using Mrc.Core.Data;
using Mrc.Training.Text;

namespace Mrc.Training.Synthetic;

/// <summary>
/// Synthetic extractive questions from unlabelled paragraphs ("cloze translation", Lewis et al. 2019):
/// a word of a sentence becomes the answer and the words around it, with the answer replaced by
/// "무엇", become the question. A reader trained on these first learns what no masked-LM objective
/// teaches it: to find the place in the context that matches the question and copy the gap out of it.
/// </summary>
public sealed class ClozeQuestionGenerator(int seed)
{
    /// <summary>Korean particles and endings stripped from the end of the answer word, longest first.</summary>
    static readonly string[] TrailingParticles =
    [
        "에서는", "으로는", "에게서", "이라는", "이라고", "에서", "으로", "에게", "까지", "부터", "처럼", "보다",
        "이다", "라는", "라고", "와의", "과의", "은", "는", "이", "가", "을", "를", "의", "에", "로", "와", "과", "도", "만",
    ];

    static readonly SearchValues<char> DigitsAndLatin =
        SearchValues.Create("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    const string Gap = "무엇";
    const int WordsAroundAnswer = 8;
    const int MinimumSentenceWords = 5;

    readonly Random random = new(seed);

    /// <summary>
    /// The same articles and paragraphs with up to <paramref name="perParagraph"/> synthetic questions each
    /// (one per sentence, sentences drawn at random); answer_start counts code points as KorQuAD does.
    /// </summary>
    public SquadDataset Generate(SquadDataset source, int perParagraph)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perParagraph);
        var articles = new List<Article>();
        for (int a = 0; a < source.Articles.Count; a++)
        {
            var paragraphs = new List<Paragraph>();
            for (int p = 0; p < source.Articles[a].Paragraphs.Count; p++)
            {
                string context = source.Articles[a].Paragraphs[p].Context;
                var questions = Questions(context, perParagraph, $"cloze-{a}-{p}");
                if (questions.Count > 0) paragraphs.Add(new Paragraph(context, questions));
            }
            if (paragraphs.Count > 0) articles.Add(new Article(source.Articles[a].Title, paragraphs));
        }
        return new SquadDataset("synthetic-cloze", articles);
    }

    List<QuestionAnswers> Questions(string context, int perParagraph, string idPrefix)
    {
        var sentences = SentenceSpans.Find(context).ToArray();
        random.Shuffle(sentences);
        var result = new List<QuestionAnswers>();
        foreach (var (start, length) in sentences)
        {
            if (result.Count == perParagraph) break;
            if (Cloze(context, start, length) is not { } cloze) continue;
            int answerStart = CodePoints(context.AsSpan(0, cloze.AnswerStart));
            result.Add(new QuestionAnswers($"{idPrefix}-{result.Count}", cloze.Question, [new GoldAnswer(cloze.Answer, answerStart)]));
        }
        return result;
    }

    /// <summary>One question from a sentence, or null when it has too few words or no usable answer word.</summary>
    (string Question, string Answer, int AnswerStart)? Cloze(string context, int sentenceStart, int sentenceLength)
    {
        var words = Words(context, sentenceStart, sentenceLength);
        if (words.Count < MinimumSentenceWords) return null;
        var candidates = new List<(int Word, int Start, int Length)>();
        for (int w = 0; w < words.Count; w++)
            if (AnswerPart(context, words[w].Start, words[w].Length) is { } part) candidates.Add((w, part.Start, part.Length));
        if (candidates.Count == 0) return null;

        var (index, answerStart, answerLength) = candidates[random.Next(candidates.Count)];
        int first = Math.Max(0, index - WordsAroundAnswer), last = Math.Min(words.Count - 1, index + WordsAroundAnswer);
        var question = new StringBuilder();
        for (int w = first; w <= last; w++)
        {
            if (question.Length > 0) question.Append(' ');
            if (w != index) question.Append(context, words[w].Start, words[w].Length);
            else question.Append(Gap).Append(context, answerStart + answerLength, words[w].Start + words[w].Length - answerStart - answerLength);
        }
        string text = question.ToString().TrimEnd('.', ',', ' ') + "?";
        return (text, context.Substring(answerStart, answerLength), answerStart);
    }

    static List<(int Start, int Length)> Words(string text, int start, int length)
    {
        var words = new List<(int, int)>();
        int end = start + length, i = start;
        while (i < end)
        {
            while (i < end && char.IsWhiteSpace(text[i])) i++;
            int wordStart = i;
            while (i < end && !char.IsWhiteSpace(text[i])) i++;
            if (i > wordStart) words.Add((wordStart, i - wordStart));
        }
        return words;
    }

    /// <summary>
    /// The word without surrounding punctuation and trailing particle, if at least two characters remain and
    /// it looks like a noun phrase: a particle followed it, or it holds a digit or a Latin letter (years,
    /// dates, names). Words without a particle are mostly verbs and adverbs, which make poor answers.
    /// </summary>
    static (int Start, int Length)? AnswerPart(string text, int start, int length)
    {
        int end = start + length;
        while (start < end && !char.IsLetterOrDigit(text[start])) start++;
        while (end > start && !char.IsLetterOrDigit(text[end - 1])) end--;
        var word = text.AsSpan(start, end - start);
        bool noun = word.ContainsAny(DigitsAndLatin);
        foreach (var particle in TrailingParticles)
            if (word.Length - particle.Length >= 2 && word.EndsWith(particle, StringComparison.Ordinal))
            {
                end -= particle.Length;
                noun = true;
                break;
            }
        while (end > start && !char.IsLetterOrDigit(text[end - 1])) end--;
        return noun && end - start >= 2 ? (start, end - start) : null;
    }

    static int CodePoints(ReadOnlySpan<char> text)
    {
        int count = 0;
        foreach (var _ in text.EnumerateRunes()) count++;
        return count;
    }
}
