using System.Diagnostics;
using System.Globalization;
using Mrc.Core.Data;
using Mrc.Reading.Inference;
using Mrc.Reading.Modeling;
using Mrc.Reading.Tokenization;
using TorchSharp;
using static TorchSharp.torch;
using Mrc.Core.Pipeline;

// Reader benchmarks on the CPU (random weights: speed does not depend on their values).
//   throughput  windows/second at sequence 384, batch 1/8/32, BERT-base shape, and the share of
//               the fp32 matmul peak measured in the same run
//   latency     ReaderEngine.ReadAsync p50/p99 under 1/8/32 concurrent clients, with and without
//               dynamic batching, on KorQuAD part-a questions with their paragraphs
// Usage: ReaderBenchmarks [throughput|latency|all] [--threads N] [--dataset KORQUAD.json] [--latency-model small|base] [--max-batch N]

var culture = CultureInfo.InvariantCulture;
var mode = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "all";
int threads = IntArg("--threads", 0);
if (threads > 0) set_num_threads(threads);
Console.WriteLine(string.Create(culture, $"libtorch threads: {get_num_threads()}, processors: {Environment.ProcessorCount}"));

if (mode is "throughput" or "all") Throughput();
if (mode is "latency" or "all") await LatencyAsync();
return 0;

void Throughput()
{
    var peak = MatmulPeakGflops();
    Console.WriteLine(string.Create(culture, $"fp32 matmul peak (2048×2048 mm): {peak:F1} GFLOP/s"));
    var config = BertBase(vocab: 32000);
    using var model = new QuestionAnsweringModel(config);
    model.eval();
    const int seq = 384;
    var flopsPerWindow = ForwardFlops(config, seq);
    Console.WriteLine(string.Create(culture, $"BERT-base QA ({model.ParameterCount:N0} parameters), {flopsPerWindow / 1e9:F1} GFLOP per 384-token window"));
    Console.WriteLine("batch  windows/s  ms/window  GFLOP/s  share of peak");
    foreach (var batch in new[] { 1, 8, 32 })
    {
        using var scope = NewDisposeScope();
        var ids = randint(1000, 31000, [batch, seq], dtype: ScalarType.Int64);
        var types = zeros_like(ids);
        var mask = ones_like(ids);
        using var noGrad = no_grad();
        using (NewDisposeScope()) model.forward(ids, types, mask); // warm-up
        var iterations = batch == 1 ? 5 : batch == 8 ? 2 : 1;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
        {
            using var step = NewDisposeScope();
            model.forward(ids, types, mask);
        }
        var seconds = clock.Elapsed.TotalSeconds;
        var windowsPerSecond = batch * iterations / seconds;
        var gflops = windowsPerSecond * flopsPerWindow / 1e9;
        Console.WriteLine(string.Create(culture, $"{batch,5}  {windowsPerSecond,9:F2}  {1000 / windowsPerSecond,9:F0}  {gflops,7:F1}  {gflops / peak,12:P0}"));
    }
}

async Task LatencyAsync()
{
    var datasetPath = StringArg("--dataset", Path.Combine(FindRoot(), "..", "shared", "data", "korquad", "KorQuAD_v1.0_dev.part-a.json"));
    var examples = SquadJson.Load(datasetPath).Examples().Take(400).ToList();
    var size = StringArg("--latency-model", "small");
    var maxBatch = IntArg("--max-batch", 32);
    // Every client must really be in flight at once, whatever the thread pool's warm-up.
    ThreadPool.SetMinThreads(64, 64);
    var chars = examples.SelectMany(e => e.Question + e.Context).Where(c => !char.IsWhiteSpace(c)).Select(c => c.ToString()).Distinct().ToList();
    var vocab = new List<string> { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" };
    vocab.AddRange(chars.Concat(chars.Select(c => "##" + c)));
    var tokenizer = new WordPieceTokenizer(vocab.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i), new BertNormalizerOptions(Lowercase: false));
    var config = size == "base" ? BertBase(vocab.Count) : BertBase(vocab.Count) with { HiddenSize = 256, NumHiddenLayers = 4, NumAttentionHeads = 4, IntermediateSize = 1024 };
    Console.WriteLine(string.Create(culture,
        $"latency model: hidden {config.HiddenSize}, {config.NumHiddenLayers} layers; Read = 1 KorQuAD paragraph + question (max_seq_length 384, doc_stride 128)"));
    Console.WriteLine(string.Create(culture, $"max batch windows: {maxBatch}, max queue delay 5 ms"));
    Console.WriteLine("clients  batching  requests  p50 ms  p99 ms  requests/s");
    foreach (var batching in new[] { false, true })
    {
        foreach (var clients in new[] { 1, 8, 32 })
        {
            using var model = new QuestionAnsweringModel(config);
            model.eval();
            var executor = new ModelExecutor(model, CPU, tokenizer.PadId);
            await using IWindowRunner runner = batching
                ? new DynamicBatcher(executor, new BatchingSettings(MaxBatchWindows: maxBatch, MaxQueueDelay: TimeSpan.FromMilliseconds(5)))
                : new DirectWindowRunner(executor, maxBatch);
            var engine = new ReaderEngine(tokenizer, runner, new WindowSettings());
            await engine.ReadAsync(examples[0].Question, [new PassageInput("w", examples[0].Context!)], new ReadSettings(), CancellationToken.None);
            var perClient = clients == 1 ? 12 : clients == 8 ? 4 : 2;
            var latencies = new List<double>();
            var gate = new Lock();
            var wall = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
            {
                for (var r = 0; r < perClient; r++)
                {
                    var example = examples[(c * perClient + r) % examples.Count];
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

static EncoderConfig BertBase(int vocab) => new()
{
    ModelType = "bert", VocabSize = vocab, HiddenSize = 768, NumHiddenLayers = 12, NumAttentionHeads = 12, IntermediateSize = 3072,
    MaxPositionEmbeddings = 512, TypeVocabSize = 2,
};

static double ForwardFlops(EncoderConfig c, int seq)
{
    double h = c.HiddenSize, i = c.IntermediateSize, s = seq;
    var perLayer = 2 * s * (4 * h * h + 2 * h * i) + 2 * 2 * s * s * h;
    return c.NumHiddenLayers * perLayer + 2 * s * h * 2;
}

static double MatmulPeakGflops()
{
    const int n = 2048;
    using var scope = NewDisposeScope();
    var a = randn(n, n);
    var b = randn(n, n);
    mm(a, b); // warm-up
    var best = 0.0;
    for (var trial = 0; trial < 3; trial++)
    {
        var clock = Stopwatch.StartNew();
        using (NewDisposeScope()) mm(a, b);
        best = Math.Max(best, 2.0 * n * n * n / clock.Elapsed.TotalSeconds / 1e9);
    }
    return best;
}

int IntArg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], culture) : fallback;
}

string StringArg(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

static string FindRoot()
{
    var directory = new DirectoryInfo(AppContext.BaseDirectory);
    while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "MrcGrpc.sln"))) directory = directory.Parent;
    return directory?.FullName ?? Directory.GetCurrentDirectory();
}
