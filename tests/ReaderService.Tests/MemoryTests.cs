using Mrc.Reading.Inference;
using Mrc.Reader.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Mrc.Reader.Tests;

/// <summary>Inference leaves no native tensor behind: memory stays flat over many requests.</summary>
public class MemoryTests
{
    [Fact]
    public void Run_ManyTimes_LeavesNoLiveTensorsOnTheThread()
    {
        using var model = TinyModels.Create(TinyModels.Config("bert"));
        var executor = new ModelExecutor(model, CPU, 0);
        FeatureWindow[] windows =
        [
            new([2, 10, 11, 3, 12, 13, 14, 3], [0, 0, 0, 0, 1, 1, 1, 1], new Mrc.Reading.Tokenization.TokenSpan?[8]),
            new([2, 10, 3, 12, 3], [0, 0, 0, 1, 1], new Mrc.Reading.Tokenization.TokenSpan?[5]),
        ];
        executor.Run(windows); // first call may create lasting state (e.g. kernels, caches)
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        for (var i = 0; i < 500; i++) executor.Run(windows);

        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
