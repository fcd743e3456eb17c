using System.Text.Json;
using Mrc.Core.Data;
using Mrc.Tests;
using Mrc.Training.Synthetic;
using Mrc.Training.Text;

namespace Mrc.Cli.Tests;

/// <summary>`mrc corpus generate` on the first six articles of part a and a KLUE file.</summary>
public sealed class CorpusGenerateCommandTests : IDisposable
{
    readonly string work = Path.Combine(Path.GetTempPath(), "mrc-cli-corpus-tests", Guid.NewGuid().ToString("N"));

    public CorpusGenerateCommandTests()
    {
        Directory.CreateDirectory(work);
        Source = SquadJson.Load(TestData.KorQuadPartA) is var partA ? partA with { Articles = partA.Articles.Take(6).ToList() } : null!;
        Dataset = Path.Combine(work, "part-a-6.json");
        SquadJson.Save(Source, Dataset);
    }

    SquadDataset Source { get; }
    string Dataset { get; }
    static string Klue => TestData.SharedData("klue", "klue-sts-v1.1_dev.json");

    public void Dispose() => Directory.Delete(work, recursive: true);

    /// <summary>The articles whose questions the corpus serves, found here as the docs say: titles in ordinal order, the second half.</summary>
    List<Article> SecondHalf()
    {
        var titles = Source.Articles.Select(a => a.Title).Order(StringComparer.Ordinal).ToList();
        var second = titles.Skip((titles.Count + 1) / 2).ToHashSet();
        return [.. Source.Articles.Where(a => second.Contains(a.Title))];
    }

    Task<(int Exit, string Out, string Error)> Generate(string output, int passages, int seed, params string[] more) =>
        InProcessCli.RunAsync(["corpus", "generate", "--dataset", Dataset, "--sentences", Klue, "--passages", passages.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", output, .. more]);

    static List<JsonElement> Lines(string path) =>
        [.. File.ReadLines(path).Select(l => JsonDocument.Parse(l).RootElement.Clone())];

    [Fact]
    public async Task Generate_WritesNKoreanPassagesWithEveryGoldParagraphOnceAndTheirQuestions()
    {
        string corpus = Path.Combine(work, "corpus.jsonl");

        var run = await Generate(corpus, 300, 7);

        Assert.Equal(0, run.Exit);
        var lines = Lines(corpus);
        Assert.Equal(300, lines.Count);
        Assert.Equal(300, lines.Select(l => l.GetProperty("id").GetString()).Distinct().Count());
        var texts = lines.Select(l => l.GetProperty("text").GetString()!).ToList();
        var gold = SecondHalf().SelectMany(a => a.Paragraphs).Select(p => p.Context).Distinct().ToList();
        Assert.All(gold, context => Assert.Single(texts, t => t == context));
        Assert.All(texts, t => Assert.Contains(t, c => c is >= '가' and <= '힣'));
        Assert.All(lines, l => Assert.False(string.IsNullOrEmpty(l.GetProperty("title").GetString())));

        // Generated passages: 3 to 8 sentences, none of them from a gold paragraph.
        var goldSentences = gold.SelectMany(g => SentenceSpans.Find(g).Select(s => g.Substring(s.Start, s.Length))).ToHashSet();
        var generated = lines.Where(l => l.GetProperty("id").GetString()!.StartsWith("gen-", StringComparison.Ordinal))
            .Select(l => l.GetProperty("text").GetString()!).ToList();
        Assert.Equal(300 - gold.Count, generated.Count);
        Assert.All(generated, text =>
        {
            var sentences = SentenceSpans.Find(text).Select(s => text.Substring(s.Start, s.Length)).ToList();
            Assert.InRange(sentences.Count, 3, 8);
            Assert.DoesNotContain(sentences, goldSentences.Contains);
        });

        var questions = QuestionJsonl.Load(Path.Combine(work, "corpus.questions.jsonl"));
        Assert.Equal(SecondHalf().Sum(a => a.Paragraphs.Sum(p => p.Questions.Count)), questions.Count);
        Assert.All(questions, q => Assert.Contains(q.Context, texts));
        Assert.Contains("generated 300/300 passages (100%)", run.Error, StringComparison.Ordinal);
        Assert.Contains($"wrote 300 passages ({gold.Count} gold)", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_TheSameSeed_GivesTheSameBytes_AnotherSeedOthers()
    {
        string a = Path.Combine(work, "a.jsonl"), b = Path.Combine(work, "b.jsonl"), c = Path.Combine(work, "c.jsonl");

        Assert.Equal(0, (await Generate(a, 200, 11)).Exit);
        Assert.Equal(0, (await Generate(b, 200, 11)).Exit);
        Assert.Equal(0, (await Generate(c, 200, 12)).Exit);

        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
        Assert.NotEqual(File.ReadAllBytes(a), File.ReadAllBytes(c));
    }

    [Fact]
    public async Task Generate_AShorterCorpus_IsTheBeginningOfALongerOne()
    {
        string shorter = Path.Combine(work, "short.jsonl"), longer = Path.Combine(work, "long.jsonl");

        Assert.Equal(0, (await Generate(shorter, 250, 3, "--gold-within", "200")).Exit);
        Assert.Equal(0, (await Generate(longer, 600, 3, "--gold-within", "200")).Exit);

        Assert.Equal(File.ReadLines(shorter), File.ReadLines(longer).Take(250));
    }

    [Fact]
    public void Passages_AreMadeAsTheyAreRead()
    {
        var generator = ScaleCorpusGenerator.From(Source, []);

        // A billion passages: only the five taken are ever made.
        var first = generator.Passages(1_000_000_000, 1).Take(5).ToList();

        Assert.Equal(5, first.Count);
    }

    [Fact]
    public async Task Generate_FewerPassagesThanGoldParagraphs_SaysHowManyAndWritesNothing()
    {
        string corpus = Path.Combine(work, "tiny.jsonl");

        var run = await Generate(corpus, 5, 1);

        int gold = SecondHalf().SelectMany(a => a.Paragraphs).Select(p => p.Context).Distinct().Count();
        Assert.Equal(2, run.Exit);
        Assert.Contains($"at least {gold} passages", run.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(work, "tiny*"));
    }
}
