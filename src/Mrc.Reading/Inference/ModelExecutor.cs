using Mrc.Reading.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Mrc.Reading.Inference;

/// <summary>
/// Runs windows through a QA model: pads a batch to its longest window, one forward pass under
/// <c>no_grad</c> in eval mode inside a dispose scope (so native memory stays flat), logits back as
/// float arrays trimmed to each window's length. One forward at a time per model.
/// </summary>
/// <param name="lengthBucket">
/// A batch is padded up to a multiple of this many tokens; null: <see cref="CudaLengthBucket"/> on CUDA,
/// 1 (the batch's own length) on the CPU.
/// </param>
public sealed class ModelExecutor(QuestionAnsweringModel model, Device device, int padId, int? lengthBucket = null) : IDisposable
{
    /// <summary>
    /// On CUDA a batch is padded up to a multiple of this many tokens. Attention in bf16/fp16 sets up
    /// its kernel for every new sequence length (measured on an H200 with PyTorch 2.11's libtorch:
    /// about 55 ms per new length, against 9 ms in fp32), and windows come in every length, so without
    /// buckets a run spends its time setting up. On the CPU padding only costs.
    /// </summary>
    public const int CudaLengthBucket = 64;

    readonly int bucket = lengthBucket ?? (device.type == DeviceType.CUDA ? CudaLengthBucket : 1);

    static ModelExecutor() => NativeMemory.BoundPrimitiveCache();
    readonly Lock gate = new();

    public Device Device => device;

    public QuestionAnsweringModel Model => model;

    public WindowLogits[] Run(IReadOnlyList<FeatureWindow> windows)
    {
        ArgumentNullException.ThrowIfNull(windows);
        if (windows.Count == 0) return [];
        var batch = windows.Count;
        var length = PaddedLength(windows.Max(w => w.Length));
        var ids = new long[batch * length];
        var types = new long[batch * length];
        var mask = new long[batch * length];
        Array.Fill(ids, padId);
        for (var b = 0; b < batch; b++)
        {
            var window = windows[b];
            for (var t = 0; t < window.Length; t++)
            {
                ids[b * length + t] = window.InputIds[t];
                types[b * length + t] = window.TokenTypeIds[t];
                mask[b * length + t] = 1;
            }
        }

        float[] start, end;
        lock (gate)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            model.eval();
            var (startLogits, endLogits) = model.forward(
                tensor(ids, [batch, length], device: device),
                tensor(types, [batch, length], device: device),
                tensor(mask, [batch, length], device: device));
            start = startLogits.to(ScalarType.Float32).cpu().data<float>().ToArray();
            end = endLogits.to(ScalarType.Float32).cpu().data<float>().ToArray();
        }

        var result = new WindowLogits[batch];
        for (var b = 0; b < batch; b++)
        {
            var n = windows[b].Length;
            result[b] = new WindowLogits(start.AsSpan(b * length, n).ToArray(), end.AsSpan(b * length, n).ToArray());
        }
        return result;
    }

    int PaddedLength(int longest)
    {
        var bucketed = (longest + bucket - 1) / bucket * bucket;
        return Math.Max(longest, Math.Min(bucketed, model.Config.MaxPositionEmbeddings));
    }

    public void Dispose() => model.Dispose();
}
