using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Mrc.Training.ReaderTraining;
using Mrc.Training.Tuning;

namespace Mrc.Training.Tests.Workflow;

/// <summary>The learning-rate range test and the batch-size search on curves and limits known in advance, and once for real.</summary>
[Collection(SeededTraining.Name)]
public sealed class FinderTests(TinyTrainingSetup setup) : IClassFixture<TinyTrainingSetup>
{
    // 61 steps from 1e-6 to 1: a tenth of a decade apart, so 1e-3 is step 30 exactly.
    static readonly LearningRateRangeSettings Decades = new() { MinLearningRate = 1e-6, MaxLearningRate = 1, Steps = 61, Smoothing = 0 };

    [Fact]
    public void Suggestion_IsWhereTheLossFallsFastest()
    {
        // loss = 2 − tanh(ln(lr/1e-3)): its slope against ln(lr) is −sech²(·), steepest at lr = 1e-3.
        var result = LearningRateRangeTest.Run(lr => 2 - Math.Tanh(Math.Log(lr / 1e-3)), Decades);

        Assert.False(result.Diverged);
        Assert.Equal(61, result.Points.Count);
        Assert.Equal(1e-3, result.Suggestion!.Value, 1e-12);
    }

    [Fact]
    public void Rates_RiseExponentially_AndTheSmoothedLossIsBiasCorrected()
    {
        var settings = Decades with { Smoothing = 0.9 };

        var result = LearningRateRangeTest.Run(_ => 5.0, settings);

        Assert.Equal(1e-6, result.Points[0].LearningRate, 1e-18);
        Assert.Equal(1e-5, result.Points[10].LearningRate, 1e-17);
        Assert.Equal(1.0, result.Points[^1].LearningRate, 1e-12);
        // A constant loss smoothed with bias correction stays that constant from the first step (without it, step 0 would read 0.5).
        Assert.All(result.Points, p => Assert.Equal(5.0, p.SmoothedLoss, 1e-9));
        Assert.Null(result.Suggestion); // a flat curve has no descent
    }

    [Fact]
    public void Divergence_StopsTheTest()
    {
        // Flat at 1 up to lr 0.0105, then 100: the first rate above is 10^-1.9 (step 41), where 100 > 4 × 1.
        var exploded = LearningRateRangeTest.Run(lr => lr < 0.0105 ? 1 : 100, Decades);
        var nan = LearningRateRangeTest.Run(lr => lr < 0.0105 ? 1 : double.NaN, Decades);

        Assert.True(exploded.Diverged);
        Assert.Equal(42, exploded.Points.Count);
        Assert.True(nan.Diverged);
        Assert.Equal(41, nan.Points.Count);
    }

    [Fact]
    public void BatchSearch_DoublesThenBisects_ToTheKnownLimit()
    {
        // A fake memory probe: 100 MiB plus 30 MiB per window against a 1000 MiB budget fits 30 windows at most.
        BatchTrial Probe(int size) => new(size, 100 + 30 * size <= 1000, 100 + 30 * size, 1000.0 / size);

        var result = BatchSizeSearch.Find(Probe, start: 1, max: 1024);

        Assert.Equal(30, result.Largest);
        Assert.Equal([1, 2, 4, 8, 16, 32, 24, 28, 30, 31], result.Trials.Select(t => t.BatchSize));
        Assert.Equal(64, BatchSizeSearch.Find(size => Probe(size) with { Fits = true }, 1, 64).Largest);
        Assert.Null(BatchSizeSearch.Find(size => Probe(size) with { Fits = false }, 4, 64).Largest);
    }

    [Fact]
    public void Plot_IsAPngWhosePixelsInflateBack()
    {
        Assert.Equal(0xCBF43926u, PngCanvas.Crc32(Encoding.ASCII.GetBytes("123456789"))); // CRC-32's published check value
        var canvas = new PngCanvas(5, 3, (255, 255, 255));
        canvas.Line(0, 0, 4, 2, (200, 0, 0));

        byte[] png = canvas.ToPng();

        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.Equal("IHDR", Encoding.ASCII.GetString(png, 12, 4));
        Assert.Equal(5, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.Equal(3, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
        int idatLength = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(33));
        Assert.Equal("IDAT", Encoding.ASCII.GetString(png, 37, 4));
        using var inflated = new MemoryStream();
        using (var zlib = new ZLibStream(new MemoryStream(png, 41, idatLength), CompressionMode.Decompress)) zlib.CopyTo(inflated);
        var rows = inflated.ToArray();
        Assert.Equal(3 * (1 + 5 * 3), rows.Length);
        Assert.Equal(new byte[] { 200, 0, 0 }, rows[1..4]);                  // (0, 0) on the line
        Assert.Equal(new byte[] { 255, 255, 255 }, rows[(1 + 3 * 4)..(1 + 3 * 5)]); // (4, 0) off it
        Assert.Equal(new byte[] { 200, 0, 0 }, rows[(2 * 16 + 1 + 3 * 4)..(2 * 16 + 1 + 3 * 5)]); // (4, 2) its end
        Assert.Equal("IEND", Encoding.ASCII.GetString(png, png.Length - 8, 4));
    }

    [Fact]
    public void RealProbe_TrainsSteps_AndMeasuresBatches()
    {
        string start = Path.Combine(setup.Folder, "probe-start-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(start);
        File.Copy(setup.ConfigFile, Path.Combine(start, "config.json"));
        foreach (var file in Directory.GetFiles(setup.TokenizerFolder)) File.Copy(file, Path.Combine(start, Path.GetFileName(file)));
        using var probe = new ReaderProbe(new ReaderTrainingOptions
        {
            TrainFile = setup.TrainFile, ModelFolder = start, OutputFolder = start + ".out", Device = "cpu",
            MaxSeqLength = 96, DocStride = 32, MaxQueryLength = 24, BatchSize = 4,
        });

        var lr = LearningRateRangeTest.Run(probe.TrainStep, new LearningRateRangeSettings { MinLearningRate = 1e-5, MaxLearningRate = 1, Steps = 12 });
        var batches = BatchSizeSearch.Find(size => probe.TryBatch(size, memoryBudgetBytes: long.MaxValue, timedSteps: 1), 1, 8);
        var overBudget = probe.TryBatch(2, memoryBudgetBytes: 1);

        Assert.NotEmpty(lr.Points);
        Assert.All(lr.Points, p => Assert.True(double.IsFinite(p.Loss) && p.Loss > 0));
        Assert.Equal(8, batches.Largest);
        Assert.Equal([1, 2, 4, 8], batches.Trials.Select(t => t.BatchSize));
        Assert.All(batches.Trials, t => Assert.True(t.WindowsPerSecond > 0 && t.MemoryMb > 0));
        Assert.False(overBudget.Fits);
    }
}
