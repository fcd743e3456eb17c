using static TorchSharp.torch;

namespace Mrc.Training;

/// <summary>
/// BERT's initialisation for a model trained from scratch: weight matrices and embeddings from
/// N(0, 0.02), biases 0, LayerNorm scale 1 (TorchSharp's default Kaiming-uniform layers train
/// noticeably worse in deep transformers).
/// </summary>
public static class WeightInit
{
    public const double InitializerRange = 0.02;

    public static void Apply(nn.Module model, Generator? generator = null)
    {
        using var _ = no_grad();
        foreach (var (name, parameter) in model.named_parameters())
        {
            bool isNorm = name.Contains("LayerNorm", StringComparison.Ordinal) || name.Contains("layer_norm", StringComparison.Ordinal);
            if (isNorm && name.EndsWith("weight", StringComparison.Ordinal)) parameter.fill_(1);
            else if (name.EndsWith("bias", StringComparison.Ordinal)) parameter.zero_();
            else if (parameter.dim() >= 2) parameter.normal_(0, InitializerRange, generator);
        }
    }
}
