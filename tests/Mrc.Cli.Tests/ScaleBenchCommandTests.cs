using System.Text.Json;
using Mrc.Core.Data;
using Mrc.Tests;

namespace Mrc.Cli.Tests;

/// <summary>`mrc index build` and `mrc bench scale` on a generated corpus of a few hundred passages (no timing is asserted).</summary>
public sealed class ScaleBenchCommandTests : IDisposable
{
    readonly string work = Path.Combine(Path.GetTempPath(), "mrc-cli-scale-tests", Guid.NewGuid().ToString("N"));

    public ScaleBenchCommandTests()
    {
        Directory.CreateDirectory(work);
        var partA = SquadJson.Load(TestData.KorQuadPartA);
        string dataset = Path.Combine(work, "part-a-4.json");
        SquadJson.Save(partA with { Articles = partA.Articles.Take(4).ToList() }, dataset);
        Corpus = Path.Combine(work, "corpus.jsonl");
        var generate = InProcessCli.RunAsync("corpus", "generate", "--dataset", dataset, "--sentences", TestData.SharedData("klue", "klue-sts-v1.1_dev.json"),
            "--passages", "240", "--gold-within", "120", "--seed", "5", "--out", Corpus).GetAwaiter().GetResult();
        Assert.Equal(0, generate.Exit);
        Questions = QuestionJsonl.Load(Path.Combine(work, "corpus.questions.jsonl"));
    }

    string Corpus { get; }
    IReadOnlyList<QuestionExample> Questions { get; }

    public void Dispose() => Directory.Delete(work, recursive: true);

    [Fact]
    public async Task IndexBuild_AGeneratedCorpus_IndexesEveryLineAndShowsProgress()
    {
        var build = await InProcessCli.RunAsync("index", "build", "--corpus", Corpus, "--out", Path.Combine(work, "index"), "--chunk-size", "0");

        Assert.Equal(0, build.Exit);
        Assert.Contains("indexed 240 documents (0 duplicates skipped) as 240 passages", build.Out, StringComparison.Ordinal);
        Assert.Contains("indexing: 0 documents, 0 passages, 0 passages/s", build.Error, StringComparison.Ordinal);
        Assert.Matches(@"committing: 240 documents, 240 passages, \d+ passages/s, \d+\.\d s", build.Error);
    }

    [Fact]
    public async Task BenchScale_Json_HasOneResultPerSizeWithEveryFigure()
    {
        string indexes = Path.Combine(work, "indexes");

        var run = await InProcessCli.RunAsync("bench", "scale", "--corpus", Corpus, "--sizes", "120,240", "--work", indexes,
            "--warm-up", "5", "--threads", "2", "--batch-size", "16", "--json");

        Assert.True(run.Exit == 0, run.Error);
        using var json = JsonDocument.Parse(run.Out);
        var root = json.RootElement;
        Assert.Equal("lucene.net-4.8", root.GetProperty("engine").GetString());
        Assert.Equal("korean-unigram-bigram", root.GetProperty("analyzer").GetString());
        Assert.Equal((20, 2, 16), (root.GetProperty("k").GetInt32(), root.GetProperty("threads").GetInt32(), root.GetProperty("batch_size").GetInt32()));
        Assert.Equal(Questions.Count, root.GetProperty("questions").GetInt32());
        var results = root.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal([120, 240], results.Select(r => r.GetProperty("size").GetInt32()));
        Assert.Equal([120L, 240L], results.Select(r => r.GetProperty("passages").GetInt64()));
        Assert.All(results, r =>
        {
            Assert.True(r.GetProperty("build_seconds").GetDouble() > 0);
            Assert.True(r.GetProperty("index_bytes").GetInt64() > 0);
            Assert.True(r.GetProperty("peak_rss_mb").GetDouble() > 0);
            // Anonymous memory is part of the resident set, so its peak cannot be above the set's.
            Assert.InRange(r.GetProperty("peak_anon_mb").GetDouble(), double.Epsilon, r.GetProperty("peak_rss_mb").GetDouble());
            Assert.True(r.GetProperty("single_thread_qps").GetDouble() > 0);
            Assert.InRange(r.GetProperty("p50_ms").GetDouble(), 0, r.GetProperty("p99_ms").GetDouble());
            Assert.True(r.GetProperty("batch_qps").GetDouble() > 0);
            double r1 = r.GetProperty("recall_at1").GetDouble();
            Assert.InRange(r1, 0, 1);
            Assert.InRange(r.GetProperty("recall_at_k").GetDouble(), r1, 1);
        });
        // Every gold paragraph lies within the first 120 passages, and a question's own paragraph is
        // among the 20 best for most questions (R@20 of the default settings on part a is .996).
        Assert.All(results, r => Assert.InRange(r.GetProperty("recall_at_k").GetDouble(), 0.9, 1));
        Assert.Empty(Directory.Exists(indexes) ? Directory.GetFileSystemEntries(indexes) : []);
        Assert.Contains("size 240: building", run.Error, StringComparison.Ordinal);
        Assert.Contains("committing: 240 documents", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BenchScale_Table_HasAHeaderAndARowPerSize()
    {
        var run = await InProcessCli.RunAsync("bench", "scale", "--corpus", Corpus, "--sizes", "240", "--work", Path.Combine(work, "t"), "--warm-up", "0");

        Assert.Equal(0, run.Exit);
        var lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("| passages | build s |", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("| 240 |", lines[2], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10k")]
    [InlineData("0")]
    [InlineData("100,-5")]
    [InlineData("")]
    public async Task BenchScale_BadSizes_AreRefusedByName(string sizes)
    {
        var run = await InProcessCli.RunAsync("bench", "scale", "--corpus", Corpus, "--sizes", sizes, "--work", Path.Combine(work, "x"));

        Assert.Equal(2, run.Exit);
        Assert.Contains("--sizes: '", run.Error, StringComparison.Ordinal);
        Assert.Contains("is not a positive whole number", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseSizes_ReadsCommaSeparatedCounts() =>
        Assert.Equal([10000, 100000, 1000000], Mrc.Cli.Commands.ScaleBenchCommand.ParseSizes("10000, 100000,1000000"));

    [Fact]
    public async Task BenchScale_AnIndexFolderAlreadyThere_IsRefusedAndLeftAlone()
    {
        string indexes = Path.Combine(work, "busy");
        Directory.CreateDirectory(Path.Combine(indexes, "lucenenet-240"));
        string kept = Path.Combine(indexes, "lucenenet-240", "mine.txt");
        File.WriteAllText(kept, "not the bench's");

        var run = await InProcessCli.RunAsync("bench", "scale", "--corpus", Corpus, "--sizes", "240", "--work", indexes);

        Assert.Equal(2, run.Exit);
        Assert.Contains("already exists", run.Error, StringComparison.Ordinal);
        Assert.Equal("not the bench's", File.ReadAllText(kept));
    }

    [Fact]
    public async Task BenchScale_ACorpusThatIsNotJsonLines_IsRefused()
    {
        string json = Path.Combine(work, "corpus.json");
        File.WriteAllText(json, "{}");

        var run = await InProcessCli.RunAsync("bench", "scale", "--corpus", json, "--questions", Path.Combine(work, "corpus.questions.jsonl"), "--sizes", "10");

        Assert.Equal(2, run.Exit);
        Assert.Contains("--corpus must be JSON Lines", run.Error, StringComparison.Ordinal);
    }

    [RequiresJavaLuceneFact]
    public async Task JavaReference_PrintsTheSameJsonAsBenchScale_AndFindsTheGoldParagraphs()
    {
        string classes = Path.Combine(work, "classes"), tools = Path.Combine(TestData.RepositoryRoot, "tools", "lucene-reference");
        var timeout = TimeSpan.FromMinutes(3);
        var javac = await ExternalProgram.RunAsync("javac", ["-cp", RequiresJavaLuceneFactAttribute.ClassPath, "-d", classes,
            Path.Combine(tools, "Recall.java"), Path.Combine(tools, "Scale.java")], work, timeout);
        Assert.True(javac.Exit == 0, javac.Error);
        string questions = Path.Combine(work, "corpus.questions.jsonl");

        var java = await ExternalProgram.RunAsync("java", ["-cp", RequiresJavaLuceneFactAttribute.ClassPath + ":" + classes, "Scale", Corpus, questions, "120,240", "nori",
            Path.Combine(work, "java"), "--warm-up", "5", "--threads", "2", "--batch-size", "16"], work, timeout);
        var net = await InProcessCli.RunAsync("bench", "scale", "--corpus", Corpus, "--sizes", "120", "--work", Path.Combine(work, "net"), "--warm-up", "5", "--json");

        Assert.True(java.Exit == 0, java.Error);
        using var javaJson = JsonDocument.Parse(java.Out);
        using var netJson = JsonDocument.Parse(net.Out);
        static IEnumerable<string> Names(JsonElement e) => e.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal);
        Assert.Equal(Names(netJson.RootElement), Names(javaJson.RootElement));
        var results = javaJson.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(Names(netJson.RootElement.GetProperty("results")[0]), Names(results[0]));
        Assert.Equal([120L, 240L], results.Select(r => r.GetProperty("passages").GetInt64()));
        Assert.Equal(Questions.Count, javaJson.RootElement.GetProperty("questions").GetInt32());
        // Nori's R@20 on part a is .996 (tools/lucene-reference/README.md); every gold paragraph is among the first 120.
        Assert.All(results, r => Assert.InRange(r.GetProperty("recall_at_k").GetDouble(), 0.9, 1));
    }
}
