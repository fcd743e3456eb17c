using System.Diagnostics;
using Mrc.Reading.Modeling;
using static TorchSharp.torch;

namespace Mrc.Reading.Benchmarking;

/// <summary>Windows per second at one batch size: full windows of <c>seq</c> tokens, no padding.</summary>
public sealed record ThroughputResult(int Batch, double WindowsPerSecond, int Iterations, double Seconds);

/// <summary>
/// How fast a QA model reads: forward passes over random token ids (speed does not depend on the
/// values) under <c>no_grad</c> in eval mode, one warm-up pass first, then as many passes as fit in the
/// time given (at least two). What `mrc bench reader` and the ONNX Runtime comparison measure.
/// </summary>
public static class ReaderThroughput
{
    /// <summary>Named model shapes: all-MiniLM-L6-v2 (the ONNX Runtime reference) and BERT-base.</summary>
    public static EncoderConfig Shape(string name) => name switch
    {
        "minilm" => new EncoderConfig
        {
            ModelType = "bert", VocabSize = 30522, HiddenSize = 384, NumHiddenLayers = 6, NumAttentionHeads = 12,
            IntermediateSize = 1536, MaxPositionEmbeddings = 512,
        },
        "base" => new EncoderConfig
        {
            ModelType = "bert", VocabSize = 32000, HiddenSize = 768, NumHiddenLayers = 12, NumAttentionHeads = 12,
            IntermediateSize = 3072, MaxPositionEmbeddings = 512,
        },
        _ => throw new ArgumentException($"shape '{name}' is not minilm or base."),
    };

    /// <summary>Floating-point operations of one forward pass over a window of <paramref name="seq"/> tokens (matrix products only).</summary>
    public static double ForwardFlops(EncoderConfig config, int seq)
    {
        ArgumentNullException.ThrowIfNull(config);
        double h = config.HiddenSize, f = config.IntermediateSize, s = seq;
        var perLayer = 2 * s * h * (4 * h + 2 * f) + 2 * 2 * s * s * h;
        return config.NumHiddenLayers * perLayer + 2 * s * h * 2;
    }

    public static ThroughputResult Measure(QuestionAnsweringModel model, Device device, int batch, int seq, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(seq);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        model.eval();
        var vocab = model.Config.VocabSize;
        var ids = randint(Math.Min(5, vocab - 1), vocab, [batch, seq], dtype: ScalarType.Int64, device: device);
        var types = zeros_like(ids);
        var mask = ones_like(ids);
        RunOnce(model, ids, types, mask);
        var iterations = 0;
        var clock = Stopwatch.StartNew();
        while (iterations < 2 || clock.Elapsed < duration)
        {
            RunOnce(model, ids, types, mask);
            iterations++;
        }
        var seconds = clock.Elapsed.TotalSeconds;
        return new ThroughputResult(batch, batch * iterations / seconds, iterations, seconds);
    }

    static void RunOnce(QuestionAnsweringModel model, Tensor ids, Tensor types, Tensor mask)
    {
        using var step = NewDisposeScope();
        var (start, _) = model.forward(ids, types, mask);
        // Reading a value waits for an asynchronous device (CUDA) to finish.
        _ = start[0, 0].to(ScalarType.Float32).item<float>();
    }
}
