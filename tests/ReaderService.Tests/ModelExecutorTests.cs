using Mrc.Reading.Inference;
using Mrc.Reader.Tests.Support;
using static TorchSharp.torch;

namespace Mrc.Reader.Tests;

/// <summary>Padding a batch further (as CUDA's length buckets do) leaves every window's logits as they were.</summary>
public class ModelExecutorTests
{
    [Theory]
    [InlineData("bert")]
    [InlineData("roberta")]
    public void LengthBuckets_PadWithoutChangingLogits(string modelType)
    {
        var config = TinyModels.Config(modelType);
        using var model = TinyModels.Create(config);
        FeatureWindow[] windows =
        [
            new([2, 10, 11, 3, 12, 13, 14, 3], [0, 0, 0, 0, 1, 1, 1, 1], new Mrc.Reading.Tokenization.TokenSpan?[8]),
            new([2, 10, 3, 12, 3], [0, 0, 0, 1, 1], new Mrc.Reading.Tokenization.TokenSpan?[5]),
        ];
        var own = new ModelExecutor(model, CPU, config.PadTokenId).Run(windows);
        var bucketed = new ModelExecutor(model, CPU, config.PadTokenId, lengthBucket: 16).Run(windows);

        for (var w = 0; w < windows.Length; w++)
        {
            Assert.Equal(windows[w].Length, bucketed[w].StartLogits.Length);
            for (var t = 0; t < windows[w].Length; t++)
            {
                Assert.Equal(own[w].StartLogits[t], bucketed[w].StartLogits[t], 4);
                Assert.Equal(own[w].EndLogits[t], bucketed[w].EndLogits[t], 4);
            }
        }
    }
}
