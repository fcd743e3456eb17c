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
    /// With <paramref name="contextSentences"/> &gt; 0 each question instead gets its own short paragraph:
    /// its sentence and up to that many sentences on each side. Short contexts cost a fraction of a full
    /// 384-token window to train on, so the same CPU time teaches matching on several times more questions.
    /// Question ids are <paramref name="idPrefix"/>-article-paragraph-n.
    /// </summary>
    public SquadDataset Generate(SquadDataset source, int perParagraph, int contextSentences = 0, string idPrefix = "cloze")
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perParagraph);
        ArgumentOutOfRangeException.ThrowIfNegative(contextSentences);
        var articles = new List<Article>();
        for (int a = 0; a < source.Articles.Count; a++)
        {
            var paragraphs = new List<Paragraph>();
            for (int p = 0; p < source.Articles[a].Paragraphs.Count; p++)
                paragraphs.AddRange(Paragraphs(source.Articles[a].Paragraphs[p].Context, perParagraph, contextSentences, $"{idPrefix}-{a}-{p}"));
            if (paragraphs.Count > 0) articles.Add(new Article(source.Articles[a].Title, paragraphs));
        }
        return new SquadDataset("synthetic-cloze", articles);
    }

    /// <summary>
    /// Unlabelled sentences (e.g. a corpus of one sentence per line) grouped in order into paragraphs of
    /// <paramref name="sentencesPerParagraph"/>, one article, for <see cref="Generate"/>.
    /// </summary>
    public static SquadDataset ParagraphsOf(IEnumerable<string> sentences, int sentencesPerParagraph, string title)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sentencesPerParagraph);
        var paragraphs = sentences.Select(s => s.Trim()).Where(s => s.Length > 0).Chunk(sentencesPerParagraph)
            .Select(chunk => new Paragraph(string.Join(' ', chunk.Select(EndedSentence)), [])).ToList();
        return new SquadDataset("unlabelled", [new Article(title, paragraphs)]);
    }

    /// <summary>A sentence ends with punctuation so that <see cref="SentenceSpans"/> finds it again.</summary>
    static string EndedSentence(string sentence) => sentence[^1] is '.' or '?' or '!' ? sentence : sentence + ".";

    IEnumerable<Paragraph> Paragraphs(string context, int perParagraph, int contextSentences, string idPrefix)
    {
        var sentences = SentenceSpans.Find(context).ToArray();
        var order = Enumerable.Range(0, sentences.Length).ToArray();
        random.Shuffle(order);
        var questions = new List<QuestionAnswers>();
        foreach (int s in order)
        {
            if (questions.Count == perParagraph) break;
            var (start, length) = sentences[s];
            if (Cloze(context, start, length) is not { } cloze) continue;
            string id = $"{idPrefix}-{questions.Count}";
            if (contextSentences == 0)
            {
                questions.Add(new QuestionAnswers(id, cloze.Question, [new GoldAnswer(cloze.Answer, CodePoints(context.AsSpan(0, cloze.AnswerStart)))]));
                continue;
            }
            int first = sentences[Math.Max(0, s - contextSentences)].Start;
            var last = sentences[Math.Min(sentences.Length - 1, s + contextSentences)];
            string excerpt = context[first..(last.Start + last.Length)];
            var question = new QuestionAnswers(id, cloze.Question,
                [new GoldAnswer(cloze.Answer, CodePoints(context.AsSpan(first, cloze.AnswerStart - first)))]);
            questions.Add(question);
            yield return new Paragraph(excerpt, [question]);
        }
        if (contextSentences == 0 && questions.Count > 0) yield return new Paragraph(context, questions);
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
