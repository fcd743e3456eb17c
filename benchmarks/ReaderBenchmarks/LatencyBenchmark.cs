using System.Diagnostics;
using System.Globalization;
using Mrc.Core.Data;
using Mrc.Core.Pipeline;
using Mrc.Reading.Benchmarking;
using Mrc.Reading.Devices;
using Mrc.Reading.Inference;
using Mrc.Reading.Modeling;
using Mrc.Reading.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace Mrc.Reader.Benchmarks;

/// <summary>
/// Read latency as a client sees it: <see cref="ReaderEngine.ReadAsync"/> on one KorQuAD paragraph and
/// its question, p50/p99 and requests/s under 1, 8 and 32 concurrent clients, with dynamic batching on
/// and off. The model has random weights of the chosen shape (speed does not depend on their values).
/// </summary>
internal static class LatencyBenchmark
{
    public static async Task RunAsync(BenchmarkArguments options)
    {
        var culture = CultureInfo.InvariantCulture;
        var datasetPath = options.String("--dataset", Path.Combine(FindRoot(), "data", "KorQuAD_v1.0_dev.part-a.json"));
        var examples = SquadJson.Load(datasetPath).Examples().Take(400).ToList();
        var shape = options.String("--shape", "minilm");
        var maxBatch = options.Int("--max-batch", 32);
        var precision = options.String("--precision", "fp32").Split(',')[0];
        var seconds = options.Double("--seconds", 10);
        // Every client must really be in flight at once, whatever the thread pool's warm-up.
        ThreadPool.SetMinThreads(64, 64);
        var chars = examples.SelectMany(e => e.Question + e.Context).Where(c => !char.IsWhiteSpace(c)).Select(c => c.ToString()).Distinct().ToList();
        var vocab = new List<string> { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" };
        vocab.AddRange(chars.Concat(chars.Select(c => "##" + c)));
        var tokenizer = new WordPieceTokenizer(vocab.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i), new BertNormalizerOptions(Lowercase: false));
        var config = ReaderThroughput.Shape(shape) with { VocabSize = vocab.Count };
        var (type, fallback) = DeviceChoice.ElementType(CPU, precision);
        if (fallback is not null) Console.WriteLine(fallback);
        Console.WriteLine(string.Create(culture,
            $"latency: {shape} shape ({config.NumHiddenLayers} layers × {config.HiddenSize}), {type}; Read = 1 KorQuAD paragraph + question (max_seq_length 384, doc_stride 128); max batch {maxBatch} windows, queue delay 5 ms; {seconds:F0} s per row"));
        Console.WriteLine("clients  batching  requests  p50 ms  p99 ms  requests/s");
        foreach (var batching in new[] { false, true })
        {
            foreach (var clients in new[] { 1, 8, 32 })
            {
                using var model = new QuestionAnsweringModel(config);
                model.to(type);
                model.eval();
                var executor = new ModelExecutor(model, CPU, tokenizer.PadId);
                await using IWindowRunner runner = batching
                    ? new DynamicBatcher(executor, new BatchingSettings(MaxBatchWindows: maxBatch, MaxQueueDelay: TimeSpan.FromMilliseconds(5)))
                    : new DirectWindowRunner(executor, maxBatch);
                var engine = new ReaderEngine(tokenizer, runner, new WindowSettings());
                await engine.ReadAsync(examples[0].Question, [new PassageInput("w", examples[0].Context!)], new ReadSettings(), CancellationToken.None);
                var latencies = new List<double>();
                var gate = new Lock();
                var next = 0;
                var wall = Stopwatch.StartNew();
                await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
                {
                    while (wall.Elapsed.TotalSeconds < seconds)
                    {
                        var example = examples[Interlocked.Increment(ref next) % examples.Count];
                        var clock = Stopwatch.StartNew();
                        await engine.ReadAsync(example.Question, [new PassageInput(example.Id, example.Context!)], new ReadSettings(), CancellationToken.None);
                        lock (gate) latencies.Add(clock.Elapsed.TotalMilliseconds);
                    }
                })));
                var total = wall.Elapsed.TotalSeconds;
                latencies.Sort();
                Console.WriteLine(string.Create(culture,
                    $"{clients,7}  {(batching ? "dynamic" : "off"),8}  {latencies.Count,8}  {Percentile(latencies, 0.50),6:F0}  {Percentile(latencies, 0.99),6:F0}  {latencies.Count / total,10:F2}"));
                executor.Dispose();
            }
        }
    }

    static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "MrcGrpc.sln"))) directory = directory.Parent;
        return directory?.FullName ?? Directory.GetCurrentDirectory();
    }
}
