using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Mrc.Reading.Modeling;

/// <summary>
/// The QA heads a model folder may have, named by <c>mrc_head</c> in its config.json: <c>linear</c>
/// (Hugging Face's <c>qa_outputs</c>; also what a config without <c>mrc_head</c> means) and
/// <c>conv</c> (<see cref="ConvQaHead"/>).
/// </summary>
public static class QaHeads
{
    public const string Linear = "linear";
    public const string Conv = "conv";

    public static readonly IReadOnlyList<string> All = [Linear, Conv];

    /// <summary>The conv head's kernel sizes when a config names none.</summary>
    public static readonly IReadOnlyList<int> DefaultKernelSizes = [1, 3, 5];
}

/// <summary>
/// Start/end logits from 1-D convolutions over the last hidden states, as KLUE MRC's leading teams
/// used: one convolution per kernel size (odd sizes, padded to keep the length), ReLU, the outputs
/// concatenated per token, then a linear layer to 2 logits. Weights are <c>qa_head.convs.N.*</c> and
/// <c>qa_head.classifier.*</c>. Padding positions are zeroed before the convolutions, so a token's
/// logits do not depend on how far its batch was padded.
/// </summary>
public sealed class ConvQaHead : nn.Module<Tensor, Tensor, Tensor>
{
    readonly ModuleList<Conv1d> convs;
    readonly Linear classifier;

    public ConvQaHead(int hiddenSize, IReadOnlyList<int> kernelSizes, int channels, Device? device = null) : base("qa_head")
    {
        convs = nn.ModuleList(kernelSizes.Select(k => nn.Conv1d(hiddenSize, channels, k, padding: k / 2, device: device)).ToArray());
        classifier = nn.Linear(channels * kernelSizes.Count, 2, device: device);
        RegisterComponents();
    }

    /// <param name="hidden">[batch, seq, hidden] last hidden states.</param>
    /// <param name="attentionMask">[batch, seq], 1 for real tokens and 0 for padding.</param>
    /// <returns>[batch, seq, 2] start and end logits.</returns>
    public override Tensor forward(Tensor hidden, Tensor attentionMask)
    {
        using var scope = NewDisposeScope();
        var x = hidden.mul(attentionMask.unsqueeze(-1).to(hidden.dtype)).transpose(1, 2);
        var features = cat(convs.Select(conv => nn.functional.relu(conv.forward(x))).ToArray(), 1);
        return classifier.forward(features.transpose(1, 2)).MoveToOuterDisposeScope();
    }
}
