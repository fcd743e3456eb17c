using Mrc.Cli.Commands;
using Mrc.Training;

namespace Mrc.Cli.Tests;

/// <summary>The training progress bar and its line form for logs.</summary>
public sealed class ProgressPrinterTests
{
    [Fact]
    public void Bar_ShowsStepsPercentEtaLossAndRate()
    {
        // 40 s for the 40 steps since step 10: one second a step, so the 50 steps left take 0:50.
        var progress = new TrainingProgress(50, 100, 4.231, 38.14, 3e-4);

        string bar = ProgressPrinter.Bar(progress, firstStep: 10, TimeSpan.FromSeconds(40), width: 80);

        Assert.Equal("[################----------------] 50/100  50%  ETA 0:50  loss 4.2310  38.1 ex/s", bar);
    }

    [Fact]
    public void Bar_BeforeASecondReport_HasNoEta_AndLongRunsShowHours()
    {
        Assert.Contains("ETA ?", ProgressPrinter.Bar(new TrainingProgress(10, 100, double.NaN, 0, 0), 10, TimeSpan.Zero, 80), StringComparison.Ordinal);
        Assert.Contains("loss –", ProgressPrinter.Bar(new TrainingProgress(10, 100, double.NaN, 0, 0), 10, TimeSpan.Zero, 80), StringComparison.Ordinal);
        // 2 steps in 100 s, 7,200 steps left: 360,000 s = 100:00:00.
        Assert.Contains("ETA 100:00:00", ProgressPrinter.Bar(new TrainingProgress(2, 7202, 1, 1, 0), 0, TimeSpan.FromSeconds(100), 120), StringComparison.Ordinal);
    }

    [Fact]
    public void Bar_FitsANarrowTerminal()
    {
        string bar = ProgressPrinter.Bar(new TrainingProgress(5, 10, 1, 1, 0), 0, TimeSpan.FromSeconds(5), width: 40);
        Assert.Equal(40, bar.Length);
    }

    [Fact]
    public void WithoutATerminal_EachReportIsOneLine()
    {
        var error = new StringWriter();
        var progress = ProgressPrinter.For(new CliConsole(TextWriter.Null, error));

        progress.Report(new TrainingProgress(10, 20, 4.5, 12.3, 3e-4));
        progress.Report(new TrainingProgress(20, 20, 4, 12, 0, "step 20: validation EM 1.00 F1 2.00"));

        Assert.Equal(["step 10/20  loss 4.5000  12.3 ex/s  lr 3.00E-004", "step 20: validation EM 1.00 F1 2.00"],
            error.ToString().TrimEnd().Split(Environment.NewLine));
    }
}
