using TorchSharp;
using static TorchSharp.torch;

namespace Mrc.Reader.Tests;

/// <summary>
/// Proves the native libtorch stack loads on this machine (see build/WeakenElfVersionNeed.cs for
/// the Debian 12 fix) and computes what it should on CPU.
/// </summary>
public class TorchSharpRuntimeTests
{
    [Fact]
    public void LinearForward_OnCpu_ComputesWeightTimesInputPlusBias()
    {
        using var scope = NewDisposeScope();
        var linear = nn.Linear(3, 2);
        using (no_grad())
        {
            linear.weight!.copy_(tensor(new float[,] { { 1, 2, 3 }, { -1, 0, 1 } }));
            linear.bias!.copy_(tensor(new float[] { 0.5f, -0.5f }));
        }

        var output = linear.forward(tensor(new float[,] { { 1, 1, 1 }, { 2, 0, -1 } }));

        Assert.Equal(new long[] { 2, 2 }, output.shape);
        Assert.Equal(new[] { 6.5f, -0.5f, -0.5f, -3.5f }, output.data<float>().ToArray());
    }

    [Fact]
    public void Backward_OnCpu_GivesAnalyticGradient()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { 1, 2, 3 }, requires_grad: true);

        (x * x).sum().backward();

        Assert.Equal(new[] { 2f, 4f, 6f }, x.grad!.data<float>().ToArray());
    }
}
