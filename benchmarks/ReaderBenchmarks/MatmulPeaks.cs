using System.Diagnostics;
using System.Globalization;
using static TorchSharp.torch;

namespace Mrc.Reader.Benchmarks;

/// <summary>libtorch's 2048×2048 matrix product in fp32 and bf16: the ceiling the encoder works under.</summary>
internal static class MatmulPeaks
{
    public static void Run()
    {
        foreach (var type in new[] { ScalarType.Float32, ScalarType.BFloat16 })
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{type} mm 2048×2048: {Gflops(type):F1} GFLOP/s (best of 5)"));
        }
    }

    public static double Gflops(ScalarType type)
    {
        const int n = 2048;
        using var scope = NewDisposeScope();
        var a = randn(n, n).to(type);
        var b = randn(n, n).to(type);
        mm(a, b);
        var best = 0.0;
        for (var trial = 0; trial < 5; trial++)
        {
            var clock = Stopwatch.StartNew();
            using (NewDisposeScope()) mm(a, b);
            best = Math.Max(best, 2.0 * n * n * n / clock.Elapsed.TotalSeconds / 1e9);
        }
        return best;
    }
}
