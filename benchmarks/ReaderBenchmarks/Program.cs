using System.Globalization;
using Mrc.Reader.Benchmarks;
using static TorchSharp.torch;

// Reader benchmarks on the CPU. Measure on an idle machine: nothing else building or testing.
//   onnx     windows/s of the reader's model and of ONNX Runtime on all-MiniLM-L6-v2 (same shape,
//            sequence, batch and threads), alternating in one process, and their ratio
//   peaks    libtorch's 2048×2048 matrix product in fp32 and bf16 (what the hardware allows)
//   profile  each operation of one encoder layer timed on its own (--profile-batch B)
//   memory   resident memory over many passes of every batch shape (--passes N, --length-bucket B)
//   latency  ReaderEngine.ReadAsync p50/p99 under 1/8/32 concurrent clients, with and without
//            dynamic batching, on KorQuAD part-a questions with their paragraphs
// Usage: ReaderBenchmarks [onnx|peaks|latency|all] [--threads N] [--batch 1,8,32] [--seq 384]
//        [--seconds S] [--rounds R] [--precision fp32,bf16] [--dataset KORQUAD.json] [--max-batch N]

var options = new BenchmarkArguments(args);
var threads = options.Int("--threads", 2);
set_num_threads(threads);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"libtorch threads: {get_num_threads()}, processors: {Environment.ProcessorCount}, load average: {LoadAverage()}"));

var mode = options.Mode ?? "onnx";
if (mode is "peaks" or "all") MatmulPeaks.Run();
if (mode is "onnx" or "all") OnnxComparison.Run(options, threads);
if (mode is "profile" or "all") OperationProfile.Run(options);
if (mode is "memory") MemoryGrowth.Run(options);
if (mode is "latency" or "all") await LatencyBenchmark.RunAsync(options);
return 0;

static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
