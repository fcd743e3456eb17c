using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Mrc.Training.Optimization;

/// <summary>
/// AdamW as BERT fine-tuning uses it: weight decay on weight matrices, none on biases and
/// LayerNorm parameters.
/// </summary>
public static class OptimizerFactory
{
    public static AdamW AdamW(nn.Module model, double learningRate, double weightDecay)
    {
        var decayed = new List<Parameter>();
        var undecayed = new List<Parameter>();
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (!parameter.requires_grad) continue;
            bool noDecay = name.EndsWith(".bias", StringComparison.Ordinal) || name == "bias"
                || name.Contains("LayerNorm", StringComparison.Ordinal) || name.Contains("layer_norm", StringComparison.Ordinal);
            (noDecay ? undecayed : decayed).Add(parameter);
        }
        var groups = new List<TorchSharp.Modules.AdamW.ParamGroup>
        {
            new(decayed, new TorchSharp.Modules.AdamW.Options { LearningRate = learningRate, weight_decay = weightDecay }),
            new(undecayed, new TorchSharp.Modules.AdamW.Options { LearningRate = learningRate, weight_decay = 0 }),
        };
        return optim.AdamW(groups, learningRate);
    }

    public static void SetLearningRate(AdamW optimizer, double learningRate)
    {
        foreach (var group in optimizer.ParamGroups) group.LearningRate = learningRate;
    }
}
