using System.Globalization;

namespace Mrc.Training.Tuning;

/// <summary>The learning-rate range test's knobs (Leslie Smith's test as fastai and Lightning run it).</summary>
public sealed record LearningRateRangeSettings
{
    public double MinLearningRate { get; init; } = 1e-7;
    public double MaxLearningRate { get; init; } = 1;
    public int Steps { get; init; } = 100;
    /// <summary>Exponential smoothing of the loss (0: none); the smoothed value is bias-corrected.</summary>
    public double Smoothing { get; init; } = 0.98;
    /// <summary>Stop when the smoothed loss exceeds this many times its lowest value so far.</summary>
    public double DivergenceFactor { get; init; } = 4;

    public void Validate()
    {
        if (MinLearningRate <= 0 || MaxLearningRate <= MinLearningRate) throw new ArgumentException("--min-lr must be positive and below --max-lr");
        if (Steps < 3) throw new ArgumentException("--steps must be at least 3");
        if (Smoothing is < 0 or >= 1) throw new ArgumentException("--smoothing must be in [0, 1)");
        if (DivergenceFactor <= 1) throw new ArgumentException("--divergence must be above 1");
    }
}

/// <summary>One step of the range test.</summary>
public sealed record LearningRatePoint(int Step, double LearningRate, double Loss, double SmoothedLoss);

/// <summary>The test's curve, where it stopped, and the suggested learning rate (null when the curve never falls).</summary>
public sealed record LearningRateRangeResult(IReadOnlyList<LearningRatePoint> Points, bool Diverged, double? Suggestion);

/// <summary>
/// The learning-rate range test: train with a rate rising exponentially from min to max over N
/// steps, smooth the loss exponentially, stop once it diverges, and suggest the rate where the
/// smoothed loss falls fastest (the steepest descent against log learning rate, as Lightning's
/// <c>lr_find</c> suggests).
/// </summary>
public static class LearningRateRangeTest
{
    /// <param name="trainStep">Trains one step at the given learning rate and returns its loss.</param>
    public static LearningRateRangeResult Run(Func<double, double> trainStep, LearningRateRangeSettings settings,
        Action<LearningRatePoint>? onStep = null, CancellationToken cancellation = default)
    {
        settings.Validate();
        var points = new List<LearningRatePoint>();
        double average = 0, lowest = double.PositiveInfinity;
        bool diverged = false;
        for (int step = 0; step < settings.Steps; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            double rate = RateAt(step, settings);
            double loss = trainStep(rate);
            if (!double.IsFinite(loss))
            {
                diverged = true;
                break;
            }
            average = settings.Smoothing * average + (1 - settings.Smoothing) * loss;
            double smoothed = average / (1 - Math.Pow(settings.Smoothing, step + 1));
            var point = new LearningRatePoint(step, rate, loss, smoothed);
            points.Add(point);
            onStep?.Invoke(point);
            lowest = Math.Min(lowest, smoothed);
            if (step > 0 && smoothed > settings.DivergenceFactor * lowest)
            {
                diverged = true;
                break;
            }
        }
        return new LearningRateRangeResult(points, diverged, SteepestDescent(points));
    }

    /// <summary>min · (max/min)^(step/(steps−1)): equal steps in log learning rate.</summary>
    public static double RateAt(int step, LearningRateRangeSettings settings) =>
        settings.MinLearningRate * Math.Pow(settings.MaxLearningRate / settings.MinLearningRate, step / (double)(settings.Steps - 1));

    /// <summary>
    /// The learning rate where the smoothed loss falls fastest: the most negative slope against
    /// log learning rate (central differences inside, one-sided at the ends); null when it never falls.
    /// </summary>
    public static double? SteepestDescent(IReadOnlyList<LearningRatePoint> points)
    {
        if (points.Count < 3) return null;
        int best = -1;
        // A fall within rounding error of a flat curve is no fall.
        double steepest = -1e-9 * points.Max(p => Math.Abs(p.SmoothedLoss));
        for (int i = 0; i < points.Count; i++)
        {
            int lo = Math.Max(0, i - 1), hi = Math.Min(points.Count - 1, i + 1);
            double slope = (points[hi].SmoothedLoss - points[lo].SmoothedLoss)
                / (Math.Log(points[hi].LearningRate) - Math.Log(points[lo].LearningRate));
            if (slope < steepest)
            {
                steepest = slope;
                best = i;
            }
        }
        return best < 0 ? null : points[best].LearningRate;
    }

    public static void WriteCsv(LearningRateRangeResult result, string path)
    {
        using var writer = new StreamWriter(path);
        writer.WriteLine("step,learning_rate,loss,smoothed_loss");
        foreach (var p in result.Points)
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{p.Step},{p.LearningRate:R},{p.Loss:R},{p.SmoothedLoss:R}"));
    }
}
