using System.Diagnostics;
using Mrc.Reading.Benchmarking;
using Mrc.Reading.Inference;
using Mrc.Reading.Modeling;
using Mrc.Reading.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace Mrc.Reader.Benchmarks;

/// <summary>
/// Resident memory of the process while the reader runs batches of every shape a server meets
/// (1–32 windows of 64–384 tokens, as dynamic batching forms them), printed every few hundred
/// passes: flat means nothing accumulates per shape or per pass.
/// </summary>
internal static class MemoryGrowth
{
    public static void Run(BenchmarkArguments options)
    {
        var passes = options.Int("--passes", 2000);
        var config = ReaderThroughput.Shape("minilm") with { NumHiddenLayers = 2 };
        using var model = new QuestionAnsweringModel(config);
        model.eval();
        var executor = new ModelExecutor(model, CPU, 0, options.Int("--length-bucket", 1));
        var random = new Random(1);
        var clock = Stopwatch.StartNew();
        for (var pass = 1; pass <= passes; pass++)
        {
            var batch = random.Next(1, options.Int("--max-batch", 32) + 1);
            var windows = Enumerable.Range(0, batch).Select(_ =>
            {
                var length = random.Next(64, 385);
                return new FeatureWindow(
                    [.. Enumerable.Range(0, length).Select(i => 5 + (i * 7919 % 30000))],
                    new int[length], new TokenSpan?[length]);
            }).ToList();
            executor.Run(windows);
            if (pass % 100 == 0)
            {
                using var process = Process.GetCurrentProcess();
                Console.WriteLine(FormattableString.Invariant(
                    $"pass {pass,5}: RSS {process.WorkingSet64 / 1048576.0,7:F0} MB, managed {GC.GetTotalMemory(false) / 1048576.0,5:F0} MB, live tensors {DisposeScopeManager.Statistics.ThreadTotalLiveCount}, {clock.Elapsed.TotalSeconds:F0} s"));
            }
        }
    }
}
