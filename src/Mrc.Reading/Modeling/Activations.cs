using TorchSharp;
using static TorchSharp.torch;

namespace Mrc.Reading.Modeling;

/// <summary>The <c>hidden_act</c> values of Hugging Face configs, as tensor functions.</summary>
public static class Activations
{
    public static Func<Tensor, Tensor> Get(string name) => name switch
    {
        "gelu" => x => nn.functional.gelu(x),
        "gelu_new" or "gelu_pytorch_tanh" or "gelu_fast" => GeluTanh,
        "relu" => x => nn.functional.relu(x),
        "silu" or "swish" => x => nn.functional.silu(x),
        "tanh" => x => x.tanh(),
        _ => throw new NotSupportedException($"hidden_act '{name}' is not supported (gelu, gelu_new, relu, silu, tanh)."),
    };

    /// <summary>0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), as HF's NewGELUActivation.</summary>
    static Tensor GeluTanh(Tensor x)
    {
        using var scope = NewDisposeScope();
        var inner = x.add(x.pow(3).mul(0.044715)).mul(Math.Sqrt(2.0 / Math.PI));
        return x.mul(0.5).mul(inner.tanh().add(1.0)).MoveToOuterDisposeScope();
    }
}
