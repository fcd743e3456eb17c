using System.Text.Json;
using Mrc.Core.Data;
using Mrc.Tests;

namespace Mrc.Cli.Tests;

/// <summary>`mrc predict` with the shipped reader: every question answered, the n-best list in the shared format.</summary>
[Collection(SeededTraining.Name)] // building a model draws from libtorch's global generator
public sealed class PredictCommandTests : IDisposable
{
    readonly string work = Directory.CreateTempSubdirectory("mrc-cli-predict-").FullName;

    public void Dispose() => Directory.Delete(work, recursive: true);

    [Theory]
    [InlineData("--gold-context")]
    [InlineData("--index")]
    public async Task Predict_AnswersEveryQuestion_WithSpansCutFromTheirPassages(string source)
    {
        var partA = SquadJson.Load(TestData.KorQuadPartA);
        var dataset = Path.Combine(work, "set.json");
        SquadJson.Save(partA with { Articles = [partA.Articles[0]] }, dataset);
        var examples = SquadJson.Load(dataset).Examples().ToList();
        var model = Path.Combine(TestData.RepositoryRoot, "models", "ko-reader-small", "1");
        string[] sourceArgs = source == "--gold-context" ? ["--gold-context"] : ["--index", Path.Combine(work, "index"), "--top-k", "3"];
        if (source == "--index")
            Assert.Equal(0, await MrcCommandLine.RunAsync(["index", "build", "--corpus", dataset, "--out", Path.Combine(work, "index")], TextWriter.Null, TextWriter.Null));

        using var error = new StringWriter();
        var output = Path.Combine(work, "predictions.json");
        var exit = await MrcCommandLine.RunAsync(
            ["predict", "--dataset", dataset, "--model", model, .. sourceArgs, "--device", "cpu", "--n-best", "3", "--out", output],
            TextWriter.Null, error);

        Assert.True(exit == 0, error.ToString());
        var predictions = PredictionsJson.Load(output);
        Assert.Equal(examples.Select(e => e.Id).Order(StringComparer.Ordinal), predictions.Keys.Order(StringComparer.Ordinal));
        using var nbest = JsonDocument.Parse(File.ReadAllBytes(Path.ChangeExtension(output, ".nbest.json")));
        foreach (var example in examples)
        {
            var answers = nbest.RootElement.GetProperty(example.Id).EnumerateArray().ToList();
            Assert.InRange(answers.Count, 1, 3);
            Assert.Equal(predictions[example.Id], answers[0].GetProperty("text").GetString());
            if (source == "--gold-context")
            {
                // Offsets are code points of the passage, here the question's own paragraph (all BMP, so also UTF-16).
                var first = answers[0];
                var (start, end) = (first.GetProperty("start_char").GetInt32(), first.GetProperty("end_char").GetInt32());
                Assert.Equal(example.Context![start..end], first.GetProperty("text").GetString());
                Assert.Equal(example.Id, first.GetProperty("passage_id").GetString());
            }
        }
        if (source == "--index") Assert.Contains("recall@3", error.ToString(), StringComparison.Ordinal);
    }
}
