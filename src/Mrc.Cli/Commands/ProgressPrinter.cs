using System.Diagnostics;
using System.Globalization;
using System.Text;
using Mrc.Training;

namespace Mrc.Cli.Commands;

/// <summary>
/// Training progress on stderr: a bar redrawn in place (steps, percent, ETA, loss, examples/s) when
/// stderr is a terminal, one line per report otherwise (CI logs, files, tests). Messages (evaluations,
/// "resuming at step N") always get a line of their own.
/// </summary>
internal static class ProgressPrinter
{
    public static IProgress<TrainingProgress> For(CliConsole console) =>
        ReferenceEquals(console.Error, Console.Error) && !Console.IsErrorRedirected
            ? new TerminalBar(console.Error, TerminalWidth())
            : new Lines(console.Error);

    /// <summary>The one-line form of a step report.</summary>
    public static string Line(TrainingProgress p) =>
        string.Create(CultureInfo.InvariantCulture, $"step {p.Step}/{p.TotalSteps}  loss {p.Loss:F4}  {p.ExamplesPerSecond:F1} ex/s  lr {p.LearningRate:E2}");

    /// <summary>
    /// The bar for a step report, <paramref name="width"/> characters at most: e.g.
    /// <c>[#####-----] 50/100  50%  ETA 1:40  loss 4.2310  38.1 ex/s</c>. The ETA assumes the
    /// remaining steps take as long as the ones since <paramref name="firstStep"/> did.
    /// </summary>
    public static string Bar(TrainingProgress p, int firstStep, TimeSpan elapsed, int width)
    {
        double fraction = p.TotalSteps <= 0 ? 0 : Math.Clamp((double)p.Step / p.TotalSteps, 0, 1);
        string eta = p.Step > firstStep
            ? Clock(TimeSpan.FromSeconds(elapsed.TotalSeconds / (p.Step - firstStep) * (p.TotalSteps - p.Step)))
            : "?";
        string loss = double.IsFinite(p.Loss) ? p.Loss.ToString("F4", CultureInfo.InvariantCulture) : "–";
        string text = string.Create(CultureInfo.InvariantCulture,
            $" {p.Step}/{p.TotalSteps}  {fraction * 100:F0}%  ETA {eta}  loss {loss}  {p.ExamplesPerSecond:F1} ex/s");
        int barWidth = Math.Clamp(width - text.Length - 2, 10, 40);
        int filled = (int)Math.Round(fraction * barWidth);
        string line = "[" + new string('#', filled) + new string('-', barWidth - filled) + "]" + text;
        return line.Length > width ? line[..width] : line;
    }

    static string Clock(TimeSpan span) => span.TotalHours >= 1
        ? $"{(int)span.TotalHours}:{span.Minutes:D2}:{span.Seconds:D2}"
        : $"{span.Minutes}:{span.Seconds:D2}";

    static int TerminalWidth()
    {
        try
        {
            return Console.WindowWidth > 20 ? Console.WindowWidth - 1 : 100;
        }
        catch (IOException)
        {
            return 100;
        }
    }

    sealed class Lines(TextWriter error) : IProgress<TrainingProgress>
    {
        // Progress<T> posts to the thread pool; training reports from its own loop and wants lines in order.
        public void Report(TrainingProgress value) => error.WriteLine(value.Message ?? Line(value));
    }

    sealed class TerminalBar(TextWriter error, int width) : IProgress<TrainingProgress>
    {
        readonly Stopwatch watch = Stopwatch.StartNew();
        int firstStep;
        bool stepping;
        string drawn = "";

        public void Report(TrainingProgress value)
        {
            if (!stepping && value.Message is not null)
            {
                // Until the first step report, each message (data loaded, "resuming at step N") marks
                // where the timed steps begin; without one they begin when the bar was made.
                firstStep = value.Step;
                watch.Restart();
            }
            stepping |= value.Message is null;
            if (value.Message is not null)
            {
                // The message replaces the bar on its line; the bar comes back below it.
                error.Write("\r" + value.Message.PadRight(drawn.Length) + "\n");
                if (drawn.Length > 0) error.Write(drawn);
                error.Flush();
                return;
            }
            string bar = Bar(value, firstStep, watch.Elapsed, width);
            var text = new StringBuilder("\r").Append(bar.PadRight(drawn.Length));
            if (value.Step >= value.TotalSteps) text.Append('\n'); // done: later output starts on a new line
            error.Write(text.ToString());
            error.Flush();
            drawn = value.Step >= value.TotalSteps ? "" : bar;
        }
    }
}
