using Mrc.Reading.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Mrc.Reading.Inference;

/// <summary>
/// Runs windows through a QA model: pads a batch to its longest window, one forward pass under
/// <c>no_grad</c> in eval mode inside a dispose scope (so native memory stays flat), logits back as
/// float arrays trimmed to each window's length. One forward at a time per model.
/// </summary>
public sealed class ModelExecutor(QuestionAnsweringModel model, Device device, int padId) : IDisposable
{
    readonly Lock gate = new();

    public Device Device => device;

    public QuestionAnsweringModel Model => model;

    public WindowLogits[] Run(IReadOnlyList<FeatureWindow> windows)
    {
        ArgumentNullException.ThrowIfNull(windows);
        if (windows.Count == 0) return [];
        var batch = windows.Count;
        var length = windows.Max(w => w.Length);
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

    public void Dispose() => model.Dispose();
}
