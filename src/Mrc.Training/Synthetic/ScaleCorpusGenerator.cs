using System.Text.Json;
using System.Text.Encodings.Web;
using Mrc.Core.Data;
using Mrc.Training.Text;

namespace Mrc.Training.Synthetic;

/// <summary>Where a generation is: passages written out of the total, and the time since it began.</summary>
public readonly record struct ScaleCorpusProgress(long Written, long Total, TimeSpan Elapsed);

/// <summary>
/// A Korean retrieval corpus of any size for speed measurements, made from real Korean text.
/// <para>
/// The questions are those of the second half of a KorQuAD/SQuAD dataset's articles (article titles
/// in ordinal order, as <see cref="QuestionHalves.SelectByArticle"/> splits them), and each of their
/// paragraphs (the <b>gold</b> paragraphs) is one passage of the corpus, unchanged, so recall can be
/// checked. Every other passage is 3 to 8 sentences drawn at random, with repetition, from a pool:
/// the sentences of the first half's paragraphs plus those of any other Korean text files given
/// (the KLUE dev files), without the sentences that occur in a gold paragraph, so that no generated
/// passage holds part of an answer's evidence; a sentence without a final mark gets a full stop. Its title is a first-half article title drawn at random.
/// </para>
/// <para>
/// Everything is drawn from one <see cref="Random"/> seeded with the seed, so a seed and the same
/// inputs give the same corpus byte for byte. The gold paragraphs take distinct random places among
/// the first min(passages, goldWithin) passages; with the same goldWithin, a shorter corpus is
/// exactly the beginning of a longer one, so the first 10,000 passages of a 1,000,000-passage corpus
/// are the 10,000-passage corpus and hold every gold paragraph.
/// </para>
/// Only the pool (a few tens of thousands of sentences) is held; passages are made as they are read.
/// </summary>
public sealed class ScaleCorpusGenerator
{
    public const int DefaultGoldWithin = 10_000;
    const int MinSentences = 3, MaxSentences = 8, MinSentenceChars = 10;

    readonly List<string> sentences;
    readonly List<string> titles;

    ScaleCorpusGenerator(List<QuestionExample> questions, List<CorpusDocument> gold, List<string> sentences, List<string> titles)
    {
        Questions = questions;
        GoldPassages = gold;
        this.sentences = sentences;
        this.titles = titles;
    }

    /// <summary>The questions whose gold paragraphs the corpus holds, each with its paragraph as context.</summary>
    public IReadOnlyList<QuestionExample> Questions { get; }

    /// <summary>The distinct gold paragraphs, as passages (ids <c>korquad-ARTICLE-PARAGRAPH</c>, the article's title).</summary>
    public IReadOnlyList<CorpusDocument> GoldPassages { get; }

    /// <summary>Distinct Korean sentences the generated passages are drawn from.</summary>
    public int SentenceCount => sentences.Count;

    /// <summary>Takes the questions, gold paragraphs and sentence pool from a dataset and more Korean sentences.</summary>
    public static ScaleCorpusGenerator From(SquadDataset dataset, IEnumerable<string> moreSentences)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(moreSentences);
        var ordered = dataset.Articles.Select(a => a.Title).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var firstHalf = ordered.Take((ordered.Count + 1) / 2).ToHashSet(StringComparer.Ordinal);

        var questions = new List<QuestionExample>();
        var gold = new List<CorpusDocument>();
        var goldTexts = new HashSet<string>(StringComparer.Ordinal);
        var poolSources = new List<string>();
        var titles = new List<string>();
        for (int a = 0; a < dataset.Articles.Count; a++)
        {
            var article = dataset.Articles[a];
            bool questionsFromHere = !firstHalf.Contains(article.Title);
            if (!questionsFromHere) titles.Add(article.Title);
            for (int p = 0; p < article.Paragraphs.Count; p++)
            {
                var paragraph = article.Paragraphs[p];
                if (!questionsFromHere)
                {
                    poolSources.Add(paragraph.Context);
                    continue;
                }
                if (goldTexts.Add(paragraph.Context)) gold.Add(new CorpusDocument($"korquad-{a}-{p}", article.Title, paragraph.Context));
                foreach (var qa in paragraph.Questions)
                    questions.Add(new QuestionExample(qa.Id, qa.Question, qa.Answers, paragraph.Context, article.Title));
            }
        }
        if (gold.Count == 0) throw new ArgumentException("The dataset has no questions in the second half of its articles to take gold paragraphs from.");

        var goldSentences = gold.SelectMany(g => SentencesOf(g.Text)).ToHashSet(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pool = new List<string>();
        foreach (var sentence in poolSources.SelectMany(SentencesOf).Concat(moreSentences.SelectMany(SentencesOf)))
            if (sentence.Length >= MinSentenceChars && HasHangul(sentence) && !goldSentences.Contains(sentence) && seen.Add(sentence))
                pool.Add(Ended(sentence));
        if (pool.Count == 0) throw new ArgumentException("No Korean sentences to draw passages from: the first half of the dataset's articles and the sentence files gave none.");
        if (titles.Count == 0) titles.Add("생성된 문서");
        return new ScaleCorpusGenerator(questions, gold, pool, titles);
    }

    /// <summary>
    /// The corpus of <paramref name="count"/> passages, made as it is enumerated. Passage n (from 0)
    /// that is not gold has id <c>gen-NNNNNNN</c>.
    /// </summary>
    public IEnumerable<CorpusDocument> Passages(long count, int seed, int goldWithin = DefaultGoldWithin)
    {
        if (count < GoldPassages.Count)
            throw new ArgumentException($"A corpus needs at least {GoldPassages.Count} passages to hold the gold paragraphs of its {Questions.Count} questions, not {count}.");
        if (goldWithin <= 0) throw new ArgumentException($"The gold paragraphs must lie within a positive number of passages, not {goldWithin}.");
        return Generate(count, seed, goldWithin);
    }

    IEnumerable<CorpusDocument> Generate(long count, int seed, int goldWithin)
    {
        var random = new Random(seed);
        int window = (int)Math.Max(GoldPassages.Count, Math.Min(count, goldWithin));
        var goldAt = GoldPlaces(random, window, GoldPassages.Count);
        int nextGold = 0;
        var text = new System.Text.StringBuilder();
        for (long n = 0; n < count; n++)
        {
            if (nextGold < goldAt.Length && goldAt[nextGold] == n)
            {
                yield return GoldPassages[nextGold++];
                continue;
            }
            text.Clear();
            int sentenceCount = random.Next(MinSentences, MaxSentences + 1);
            for (int s = 0; s < sentenceCount; s++)
            {
                if (s > 0) text.Append(' ');
                text.Append(sentences[random.Next(sentences.Count)]);
            }
            yield return new CorpusDocument($"gen-{n:D7}", titles[random.Next(titles.Count)], text.ToString());
        }
    }

    /// <summary>
    /// <paramref name="count"/> distinct places in [0, <paramref name="window"/>), ascending (Floyd's
    /// sampling: a set of size count, whatever the window's size). Gold paragraph i goes to the i-th.
    /// </summary>
    static long[] GoldPlaces(Random random, int window, int count)
    {
        var chosen = new HashSet<long>();
        for (int j = window - count; j < window; j++)
        {
            int t = random.Next(j + 1);
            chosen.Add(chosen.Contains(t) ? j : t);
        }
        return [.. chosen.Order()];
    }

    /// <summary>
    /// Writes the corpus as JSON Lines (<c>{"id", "title", "text"}</c>, the form <c>mrc index build</c>
    /// reads) to <paramref name="path"/>, through a temporary file beside it renamed at the end, so an
    /// interrupted run leaves no half-written corpus. Progress about once a second and at the end.
    /// </summary>
    public long Write(string path, long count, int seed, int goldWithin = DefaultGoldWithin,
        IProgress<ScaleCorpusProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var passages = Passages(count, seed, goldWithin);
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temporary = full + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var nextReport = TimeSpan.FromSeconds(1);
        long written = 0;
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                using var writer = new Utf8JsonWriter(stream, LineOptions);
                foreach (var passage in passages)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    writer.WriteStartObject();
                    writer.WriteString("id", passage.Id);
                    writer.WriteString("title", passage.Title);
                    writer.WriteString("text", passage.Text);
                    writer.WriteEndObject();
                    writer.Flush();
                    writer.Reset();
                    stream.WriteByte((byte)'\n');
                    written++;
                    if (clock.Elapsed >= nextReport)
                    {
                        progress?.Report(new ScaleCorpusProgress(written, count, clock.Elapsed));
                        nextReport = clock.Elapsed + TimeSpan.FromSeconds(1);
                    }
                }
            }
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
        progress?.Report(new ScaleCorpusProgress(written, count, clock.Elapsed));
        return written;
    }

    static readonly JsonWriterOptions LineOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };

    /// <summary>A sentence ends with a mark (KLUE's often do not), so that sentences stay apart once joined.</summary>
    static string Ended(string sentence) => sentence[^1] is '.' or '?' or '!' ? sentence : sentence + ".";

    static IEnumerable<string> SentencesOf(string text) => SentenceSpans.Find(text).Select(s => text.Substring(s.Start, s.Length));

    static bool HasHangul(string text)
    {
        foreach (char c in text)
            if (c is >= '\uAC00' and <= '\uD7A3') return true;
        return false;
    }
}
