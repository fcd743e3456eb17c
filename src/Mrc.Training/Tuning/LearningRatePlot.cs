namespace Mrc.Training.Tuning;

/// <summary>
/// The range test as a picture: loss against learning rate on a log axis (a grey line at every
/// power of ten), the raw loss in light blue, the smoothed loss in dark blue and the suggestion as a
/// red vertical line. The numbers are in the CSV beside it.
/// </summary>
public static class LearningRatePlot
{
    static readonly (byte, byte, byte) White = (255, 255, 255), Grid = (225, 225, 225), Axis = (90, 90, 90),
        Raw = (160, 195, 235), Smoothed = (20, 60, 150), Suggested = (210, 30, 30);

    public static byte[] Render(LearningRateRangeResult result, int width = 720, int height = 420)
    {
        var canvas = new PngCanvas(width, height, White);
        const int margin = 30;
        int left = margin, right = width - margin, top = margin, bottom = height - margin;
        var points = result.Points;
        if (points.Count < 2)
        {
            Frame(canvas, left, top, right, bottom);
            return canvas.ToPng();
        }

        double xMin = Math.Log10(points[0].LearningRate), xMax = Math.Log10(points[^1].LearningRate);
        // The y range follows the smoothed loss (the raw loss is clipped to it): divergence spikes would flatten the rest.
        double yMin = points.Min(p => p.SmoothedLoss), yMax = points.Max(p => p.SmoothedLoss);
        if (yMax - yMin < 1e-12) (yMin, yMax) = (yMin - 1, yMax + 1);
        int X(double rate) => left + (int)Math.Round((Math.Log10(rate) - xMin) / (xMax - xMin) * (right - left));
        int Y(double loss) => bottom - (int)Math.Round((Math.Clamp(loss, yMin, yMax) - yMin) / (yMax - yMin) * (bottom - top));

        for (int decade = (int)Math.Ceiling(xMin); decade <= (int)Math.Floor(xMax); decade++)
        {
            int x = X(Math.Pow(10, decade));
            canvas.Line(x, top, x, bottom, Grid);
        }
        Frame(canvas, left, top, right, bottom);
        Polyline(canvas, points.Select(p => (X(p.LearningRate), Y(p.Loss))), Raw);
        Polyline(canvas, points.Select(p => (X(p.LearningRate), Y(p.SmoothedLoss))), Smoothed);
        if (result.Suggestion is { } suggestion)
        {
            int x = X(suggestion);
            canvas.Line(x, top, x, bottom, Suggested);
        }
        return canvas.ToPng();
    }

    static void Frame(PngCanvas canvas, int left, int top, int right, int bottom)
    {
        canvas.Line(left, bottom, right, bottom, Axis);
        canvas.Line(left, top, left, bottom, Axis);
    }

    static void Polyline(PngCanvas canvas, IEnumerable<(int X, int Y)> points, (byte, byte, byte) color)
    {
        (int X, int Y)? previous = null;
        foreach (var point in points)
        {
            if (previous is { } p) canvas.Line(p.X, p.Y, point.X, point.Y, color);
            previous = point;
        }
    }
}
