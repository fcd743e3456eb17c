using System.Text.Json;
using Mrc.Core.Data;

namespace Mrc.Cli.Tests;

public class EvalCommandTests
{
    static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    static string LastLine(string text) => text.TrimEnd('\n', '\r').Split('\n')[^1].TrimEnd('\r');

    [Fact]
    public async Task Eval_PrintsTheOfficialScriptsJsonAsLastLine()
    {
        // Expected line as printed by the official evaluate-v1.0.py on the same two files: brackets,
        // quotes, extra spaces, an upper-case answer, a missing id (k4) and an unknown id.
        var (exit, output, error) = await InProcessCli.RunAsync("eval", Fixture("eval-dataset.json"), Fixture("eval-predictions.json"));

        Assert.Equal(0, exit);
        Assert.Equal("{\"exact_match\": 50.0, \"f1\": 82.6086956521739}", LastLine(output));
        Assert.Contains("Unanswered question k4 will receive score 0.", error);
        Assert.Contains("1 of 6 questions were unanswered.", error);
    }

    [Fact]
    public async Task Eval_WithDetails_PrintsCountsBeforeTheJson()
    {
        var (exit, output, _) = await InProcessCli.RunAsync("eval", Fixture("eval-dataset.json"), Fixture("eval-predictions.json"), "--details");

        Assert.Equal(0, exit);
        var lines = output.TrimEnd().Split('\n');
        Assert.Equal("questions: 6, answered: 5, unanswered: 1", lines[^2].TrimEnd('\r'));
        Assert.StartsWith("{\"exact_match\"", lines[^1]);
    }

    [Fact]
    public async Task Eval_GoldAnswersOnPartA_ScoreOneHundred()
    {
        var dataset = SquadJson.Load(Mrc.Tests.TestData.KorQuadPartA);
        var predictions = dataset.Examples().ToDictionary(e => e.Id, e => e.Answers[0].Text);
        var path = Path.Combine(Directory.CreateTempSubdirectory("mrc-cli-").FullName, "gold.json");
        PredictionsJson.Save(predictions, path);

        var (exit, output, _) = await InProcessCli.RunAsync("eval", Mrc.Tests.TestData.KorQuadPartA, path);

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(LastLine(output));
        Assert.Equal(100.0, json.RootElement.GetProperty("exact_match").GetDouble());
        Assert.Equal(100.0, json.RootElement.GetProperty("f1").GetDouble());
    }

    [Fact]
    public async Task Eval_WithMalformedPredictions_ExitsTwoWithFileAndPosition()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("mrc-cli-").FullName, "broken.json");
        await File.WriteAllTextAsync(path, "{\"k1\": \"a\",\n \"k2\": }");

        var (exit, output, error) = await InProcessCli.RunAsync("eval", Fixture("eval-dataset.json"), path);

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.StartsWith($"error: {path}:2:", error);
    }

    [Fact]
    public async Task Eval_WithMissingFile_ExitsTwoAndNamesIt()
    {
        var (exit, _, error) = await InProcessCli.RunAsync("eval", Fixture("eval-dataset.json"), "/nonexistent/predictions.json");

        Assert.Equal(2, exit);
        Assert.Contains("/nonexistent/predictions.json", error);
    }

    [Fact]
    public async Task Eval_WithoutArguments_ReportsUsageError()
    {
        var (exit, _, error) = await InProcessCli.RunAsync("eval");

        Assert.NotEqual(0, exit);
        Assert.Contains("Required argument missing", error, StringComparison.OrdinalIgnoreCase);
    }
}
