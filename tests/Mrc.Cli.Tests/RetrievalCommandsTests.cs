using System.Text.Json;
using Mrc.Core.Data;
using Mrc.Tests;

namespace Mrc.Cli.Tests;

/// <summary>`mrc index build`, `mrc search`, `mrc retrieval eval` and `mrc bench retrieval` on a small cut of part a.</summary>
public sealed class RetrievalCommandsTests : IDisposable
{
    readonly string work = Path.Combine(Path.GetTempPath(), "mrc-cli-retrieval-tests", Guid.NewGuid().ToString("N"));

    public RetrievalCommandsTests()
    {
        Directory.CreateDirectory(work);
        var partA = SquadJson.Load(TestData.KorQuadPartA);
        Corpus = Path.Combine(work, "part-a-3.json");
        SquadJson.Save(partA with { Articles = partA.Articles.Take(3).ToList() }, Corpus);
        Index = Path.Combine(work, "index");
    }

    string Corpus { get; }
    string Index { get; }

    public void Dispose() => Directory.Delete(work, recursive: true);

    [Fact]
    public async Task IndexBuildThenEval_PrintsRecallMrrAndSpeedAsJson()
    {
        var build = await InProcessCli.RunAsync("index", "build", "--corpus", Corpus, "--out", Index, "--chunk-size", "0");
        Assert.Equal(0, build.Exit);
        Assert.Contains("indexed", build.Out, StringComparison.Ordinal);
        Assert.Contains("committing", build.Error, StringComparison.Ordinal);

        var eval = await InProcessCli.RunAsync("retrieval", "eval", "--index", Index, "--dataset", Corpus, "--k", "1,5,20", "--json");

        Assert.Equal(0, eval.Exit);
        using var json = JsonDocument.Parse(eval.Out);
        var root = json.RootElement;
        Assert.Equal("korean-unigram-bigram", root.GetProperty("analyzer").GetString());
        Assert.True(root.GetProperty("questions").GetInt32() > 50);
        double r1 = root.GetProperty("recall").GetProperty("1").GetDouble(), r20 = root.GetProperty("recall").GetProperty("20").GetDouble();
        Assert.InRange(r1, 0.8, 1.0);
        Assert.InRange(r20, r1, 1.0);
        Assert.InRange(root.GetProperty("mrr").GetDouble(), r1, 1.0);
        Assert.True(root.GetProperty("queries_per_second").GetDouble() > 0);
    }

    [Fact]
    public async Task IndexBuild_WithAMalformedSettingsFile_NamesTheKeyAndLineAndPublishesNothing()
    {
        Assert.Equal(0, (await InProcessCli.RunAsync("index", "build", "--corpus", Corpus, "--out", Index, "--chunk-size", "0")).Exit);
        string before = File.ReadAllText(Path.Combine(Index, "CURRENT"));
        var entries = Directory.GetFileSystemEntries(Index).Order(StringComparer.Ordinal).ToList();
        string settings = Path.Combine(work, "settings.json");
        File.WriteAllText(settings, "{\n  \"analyzer\": \"korean-bigram\",\n  \"bm25\": { \"k1\": 0.2, \"b\": 1.5 }\n}\n");

        var build = await InProcessCli.RunAsync("index", "build", "--corpus", Corpus, "--out", Index, "--chunk-size", "0", "--settings", settings);

        Assert.Equal(2, build.Exit);
        Assert.Contains("settings.json:3: bm25.b must be between 0 and 1, not 1.5", build.Error, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(Path.Combine(Index, "CURRENT")));
        Assert.Equal(entries, Directory.GetFileSystemEntries(Index).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task IndexBuild_WithSettings_StoresThemInTheGenerationAndEvalUsesThem()
    {
        string settings = Path.Combine(work, "settings.json");
        File.WriteAllText(settings, """{ "analyzer": "whitespace-bigram", "bm25": { "k1": 1.1, "b": 0.6 } }""");

        var build = await InProcessCli.RunAsync("index", "build", "--corpus", Corpus, "--out", Index, "--chunk-size", "0", "--settings", settings);
        var eval = await InProcessCli.RunAsync("retrieval", "eval", "--index", Index, "--dataset", Corpus, "--k", "1", "--json");

        Assert.Equal(0, build.Exit);
        string generation = Path.Combine(Index, File.ReadAllText(Path.Combine(Index, "CURRENT")).Trim());
        Assert.Contains("\"whitespace-bigram\"", File.ReadAllText(Path.Combine(generation, "settings.json")), StringComparison.Ordinal);
        using var json = JsonDocument.Parse(eval.Out);
        Assert.Equal("whitespace-bigram", json.RootElement.GetProperty("analyzer").GetString());
        Assert.Equal(1.1, json.RootElement.GetProperty("k1").GetDouble(), 5);
        Assert.Equal(0.6, json.RootElement.GetProperty("b").GetDouble(), 5);
    }

    [Fact]
    public async Task IndexBuild_WithSettingsAndAnalyzer_AsksForOneOfThem()
    {
        string settings = Path.Combine(work, "settings.json");
        File.WriteAllText(settings, "{}");

        var build = await InProcessCli.RunAsync("index", "build", "--corpus", Corpus, "--out", Index, "--settings", settings, "--analyzer", "standard");

        Assert.Equal(2, build.Exit);
        Assert.Contains("--analyzer and --settings", build.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Index) && Directory.EnumerateFileSystemEntries(Index).Any());
    }

    [Fact]
    public async Task Search_PrintsRankedPassagesWithTheirIds()
    {
        Assert.Equal(0, (await InProcessCli.RunAsync("index", "build", "--corpus", Corpus, "--out", Index, "--chunk-size", "0")).Exit);
        string question = SquadJson.Load(Corpus).Examples().First().Question;

        var search = await InProcessCli.RunAsync("search", "--index", Index, question, "--k", "2", "--json");

        Assert.Equal(0, search.Exit);
        var lines = search.Out.Trim().Split('\n');
        Assert.Equal(2, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        Assert.Equal(1, first.RootElement.GetProperty("rank").GetInt32());
        Assert.Equal("0-0#0", first.RootElement.GetProperty("id").GetString());
    }

    [Fact]
    public async Task IndexAnalyze_PrintsEachSearchedFieldsTokens_AsTheIndexOrTheSettingsMakeThem()
    {
        // The morphemes are Nori's (KoreanAnalyzerTests); the unigrams and bigrams are every character and pair.
        var defaults = await InProcessCli.RunAsync("index", "analyze", "대통령은 훈련했다");
        Assert.Equal(0, defaults.Exit);
        Assert.Equal(
            [
                "text (korean-unigram-bigram) (boost 1): 대 대통 통 통령 령 령은 은 훈 훈련 련 련했 했 했다 다",
                "words (morphemes) (boost 3): 대통령 훈련",
                "title (korean-unigram-bigram) (boost 0.5): 대 대통 통 통령 령 령은 은 훈 훈련 련 련했 했 했다 다",
            ],
            defaults.Out.Trim().Split('\n'));

        string settings = Path.Combine(work, "settings.json");
        File.WriteAllText(settings, """{ "analyzer": "korean-bigram", "words_analyzer": "particles", "user_dictionary": ["국립중앙박물관"], "field_boosts": { "title": 0 } }""");
        Assert.Equal(0, (await InProcessCli.RunAsync("index", "build", "--corpus", Corpus, "--out", Index, "--chunk-size", "0", "--settings", settings)).Exit);
        var built = await InProcessCli.RunAsync("index", "analyze", "국립중앙박물관에서 보았다", "--index", Index);
        Assert.Equal(0, built.Exit);
        // The dictionary word is cut out whole in both fields; the particle list never strips a word
        // down to nothing, so the 에서 left beside it stays.
        Assert.Equal(["text (korean-bigram) (boost 1): 국립중앙박물관 에서 보았 았다", "words (particles) (boost 3): 국립중앙박물관 에서 보았다"], built.Out.Trim().Split('\n'));

        var both = await InProcessCli.RunAsync("index", "analyze", "서울", "--index", Index, "--analyzer", "standard");
        Assert.Equal(2, both.Exit);
        Assert.Contains("--index analyses as that index was built", both.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BenchRetrieval_PrintsLatencyAndBatchThroughput()
    {
        Assert.Equal(0, (await InProcessCli.RunAsync("index", "build", "--corpus", Corpus, "--out", Index, "--chunk-size", "0")).Exit);

        var bench = await InProcessCli.RunAsync("bench", "retrieval", "--index", Index, "--dataset", Corpus, "--k", "5");

        Assert.Equal(0, bench.Exit);
        Assert.Contains("single thread:", bench.Out, StringComparison.Ordinal);
        Assert.Contains("p99", bench.Out, StringComparison.Ordinal);
        Assert.Contains("batch:", bench.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RetrievalEval_WithoutIndex_ExitsWithOneLineSayingHowToBuildIt()
    {
        var eval = await InProcessCli.RunAsync("retrieval", "eval", "--index", Index, "--dataset", Corpus);

        Assert.Equal(2, eval.Exit);
        Assert.StartsWith("error: No index at", eval.Error, StringComparison.Ordinal);
        Assert.Contains("mrc index build", eval.Error, StringComparison.Ordinal);
        Assert.Single(eval.Error.Trim().Split('\n'));
    }

    [Theory]
    [InlineData("--k", "0,5")]
    [InlineData("--k1", "9")]
    public async Task RetrievalEval_WithBadNumbers_ExitsWithAnInputError(string option, string value)
    {
        Assert.Equal(0, (await InProcessCli.RunAsync("index", "build", "--corpus", Corpus, "--out", Index, "--chunk-size", "0")).Exit);

        var eval = await InProcessCli.RunAsync("retrieval", "eval", "--index", Index, "--dataset", Corpus, option, value);

        Assert.Equal(2, eval.Exit);
        Assert.Contains(option, eval.Error, StringComparison.Ordinal);
    }
}
