using System.Text.Json;
using Mrc.Cli.Commands;
using Mrc.Tests;

namespace Mrc.Cli.Tests;

/// <summary>`mrc bench reader`: the JSON it prints and the inputs it refuses (speed itself is measured, not asserted).</summary>
[Collection(SeededTraining.Name)] // building a model draws from libtorch's global generator
public sealed class ReaderBenchCommandTests
{
    [Fact]
    public async Task Shape_WithJson_PrintsOneResultPerBatch()
    {
        var (exit, output, error) = await InProcessCli.RunAsync("bench", "reader", "--shape", "minilm", "--seq", "16", "--batch", "1,2",
            "--threads", "1", "--device", "cpu", "--seconds", "0.05", "--json");

        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output.Trim());
        var root = json.RootElement;
        Assert.Equal("minilm", root.GetProperty("shape").GetString());
        Assert.Equal(16, root.GetProperty("seq").GetInt32());
        Assert.Equal(1, root.GetProperty("threads").GetInt32());
        Assert.Equal("fp32", root.GetProperty("precision").GetString());
        var results = root.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal([1, 2], results.Select(r => r.GetProperty("batch").GetInt32()));
        Assert.All(results, r => Assert.True(r.GetProperty("windows_per_second").GetDouble() > 0));
    }

    [Fact]
    public async Task ModelFolder_IsMeasuredAsLoaded()
    {
        var model = Path.Combine(TestData.RepositoryRoot, "models", "ko-reader-small", "1");
        var (exit, output, error) = await InProcessCli.RunAsync("bench", "reader", "--model", model, "--seq", "32", "--batch", "1",
            "--device", "cpu", "--seconds", "0.05");

        Assert.True(exit == 0, error);
        Assert.Contains("3 layers × 256, seq 32", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--seq", "16")]
    [InlineData("--shape", "minilm", "--model", ".")]
    [InlineData("--shape", "minilm", "--batch", "0")]
    [InlineData("--shape", "minilm", "--batch", "1,x")]
    [InlineData("--shape", "minilm", "--seconds", "0")]
    public async Task BadOptions_ExitWithAnInputError(params string[] options)
    {
        var (exit, _, error) = await InProcessCli.RunAsync(["bench", "reader", "--device", "cpu", .. options]);

        Assert.Equal(CommandErrors.InputError, exit);
        Assert.StartsWith("error:", error, StringComparison.Ordinal);
    }
}
