using System.Text.Json;
using Mrc.Cli;
using Mrc.EndToEnd.Tests.Support;
using Mrc.Tests;

namespace Mrc.EndToEnd.Tests;

/// <summary>
/// `mrc bench load` against RetrieverService and ReaderService running as processes: the report's shape
/// and that a short run meets no error. Speed is measured, not asserted.
/// </summary>
[Collection(SharedServices.Name)]
public sealed class LoadBenchTests(RunningServices services)
{
    static async Task<(int Exit, string Out, string Error)> Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await MrcCommandLine.RunAsync(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData("pipeline")]
    [InlineData("retriever")]
    [InlineData("reader")]
    public async Task ShortRun_ReportsRequestsLatencyAndMemory_WithoutErrors(string target)
    {
        var (exit, output, error) = await Run("bench", "load", "--target", target,
            "--retriever", services.Retriever.GrpcAddress.ToString(), "--reader", services.Reader.GrpcAddress.ToString(),
            "--dataset", TestData.KorQuadPartA, "--clients", "4", "--seconds", "2", "--top-k", "3",
            "--pid", services.Retriever.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--pid", services.Reader.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json");

        Assert.True(exit == 0, error + output);
        using var json = JsonDocument.Parse(output.Trim());
        var root = json.RootElement;
        Assert.Equal(target, root.GetProperty("target").GetString());
        Assert.Equal(4, root.GetProperty("clients").GetInt32());
        Assert.True(root.GetProperty("seconds").GetDouble() >= 2);
        Assert.True(root.GetProperty("requests").GetInt32() > 0);
        Assert.Equal(0, root.GetProperty("errors").GetInt32());
        Assert.Empty(root.GetProperty("errors_by_status").EnumerateObject());
        Assert.True(root.GetProperty("requests_per_second").GetDouble() > 0);
        var latency = root.GetProperty("latency_ms");
        double p50 = latency.GetProperty("p50").GetDouble(), p90 = latency.GetProperty("p90").GetDouble(),
            p99 = latency.GetProperty("p99").GetDouble(), max = latency.GetProperty("max").GetDouble();
        Assert.True(0 < p50 && p50 <= p90 && p90 <= p99 && p99 <= max, $"p50 {p50}, p90 {p90}, p99 {p99}, max {max}");
        var memory = root.GetProperty("memory").EnumerateArray().ToList();
        Assert.Equal([services.Retriever.ProcessId, services.Reader.ProcessId], memory.Select(m => m.GetProperty("pid").GetInt32()));
        Assert.All(memory, m =>
        {
            double start = m.GetProperty("rss_start_mb").GetDouble(), top = m.GetProperty("rss_max_mb").GetDouble(), end = m.GetProperty("rss_end_mb").GetDouble();
            Assert.True(start > 0 && top >= start && top >= end && end > 0, $"start {start}, max {top}, end {end}");
            Assert.True(m.GetProperty("samples").GetInt32() >= 3);
        });
    }

    [Fact]
    public async Task AProcessThatCannotBeRead_IsAnInputError_BeforeTheRun()
    {
        var (exit, _, error) = await Run("bench", "load", "--target", "retriever", "--retriever", services.Retriever.GrpcAddress.ToString(),
            "--dataset", TestData.KorQuadPartA, "--clients", "1", "--seconds", "1", "--pid", "999999999");

        Assert.Equal(2, exit);
        Assert.Contains("--pid 999999999", error, StringComparison.Ordinal);
    }
}
