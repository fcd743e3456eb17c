using System.CommandLine;
using System.Globalization;
using Mrc.Training.Stages;
using Mrc.Training.Tuning;

namespace Mrc.Cli.Commands;

/// <summary>
/// `mrc tune lr-find` (learning-rate range test) and `mrc tune batch-find` (largest batch within a
/// memory budget), both on a stage of a run configuration.
/// </summary>
internal static class TuneCommands
{
    public static Command Create(CliConsole console) => new("tune", "Find a learning rate or a batch size for a run configuration.")
    {
        LearningRateFind(console),
        BatchFind(console),
    };

    static Option<string?> StageOption() => new("--stage") { Description = "The reader stage to probe: its name or number (from 1); default the last." };

    static Command LearningRateFind(CliConsole console)
    {
        var config = new RunConfigOptions(required: true);
        var stage = StageOption();
        var minLr = new Option<double>("--min-lr") { DefaultValueFactory = _ => 1e-7 };
        var maxLr = new Option<double>("--max-lr") { DefaultValueFactory = _ => 1.0 };
        var steps = new Option<int>("--steps") { DefaultValueFactory = _ => 100, Description = "Steps from --min-lr to --max-lr." };
        var smoothing = new Option<double>("--smoothing") { DefaultValueFactory = _ => 0.98, Description = "Exponential smoothing of the loss." };
        var divergence = new Option<double>("--divergence") { DefaultValueFactory = _ => 4, Description = "Stop when the smoothed loss exceeds this many times its lowest." };
        var output = new Option<string?>("--out") { Description = "Folder for lr-find.csv and lr-find.png (default: OUT.lr-find beside the run's output)." };
        var command = new Command("lr-find", "Learning-rate range test: train with an exponentially rising rate, suggest where the smoothed loss falls fastest.")
        {
            stage, minLr, maxLr, steps, smoothing, divergence, output,
        };
        config.AddTo(command);
        command.SetAction((parse, cancellation) => CommandErrors.Guard(console, async () =>
        {
            var settings = new LearningRateRangeSettings
            {
                MinLearningRate = parse.GetValue(minLr),
                MaxLearningRate = parse.GetValue(maxLr),
                Steps = parse.GetValue(steps),
                Smoothing = parse.GetValue(smoothing),
                DivergenceFactor = parse.GetValue(divergence),
            };
            settings.Validate();
            var plan = RunPlanner.Plan(config.Load(parse));
            var chosen = RunConfigOptions.ReaderStage(plan, parse.GetValue(stage));
            string folder = parse.GetValue(output) ?? plan.OutputFolder + ".lr-find";

            using var probe = new ReaderProbe(chosen.Reader!);
            await console.Error.WriteLineAsync($"stage '{chosen.Name}': {probe.WindowCount} windows, {settings.Steps} steps from {settings.MinLearningRate:G3} to {settings.MaxLearningRate:G3} on {probe.Device}");
            var result = LearningRateRangeTest.Run(probe.TrainStep, settings, point =>
            {
                if (point.Step % 10 == 0)
                    console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"step {point.Step}/{settings.Steps}  lr {point.LearningRate:E2}  loss {point.Loss:F4}  smoothed {point.SmoothedLoss:F4}"));
            }, cancellation);

            Directory.CreateDirectory(folder);
            LearningRateRangeTest.WriteCsv(result, Path.Combine(folder, "lr-find.csv"));
            await File.WriteAllBytesAsync(Path.Combine(folder, "lr-find.png"), LearningRatePlot.Render(result), cancellation);
            await console.Error.WriteLineAsync($"{result.Points.Count} steps{(result.Diverged ? ", stopped when the loss diverged" : "")}; wrote {folder}/lr-find.csv and lr-find.png");
            await console.Out.WriteLineAsync(result.Suggestion is { } lr
                ? string.Create(CultureInfo.InvariantCulture, $"suggested learning rate: {lr:G3} (steepest descent of the smoothed loss)")
                : "no suggestion: the smoothed loss never fell; widen --min-lr/--max-lr or add --steps");
            return 0;
        }));
        return command;
    }

    static Command BatchFind(CliConsole console)
    {
        var config = new RunConfigOptions(required: true);
        var stage = StageOption();
        var memory = new Option<int?>("--memory-mb") { Description = "CPU: the process-memory budget in MiB (required there). CUDA: unused; a batch fits unless the device runs out of memory." };
        var start = new Option<int>("--start") { DefaultValueFactory = _ => 1, Description = "First batch size tried." };
        var max = new Option<int>("--max-batch") { DefaultValueFactory = _ => 1024, Description = "Largest batch size tried." };
        var command = new Command("batch-find", "Largest batch that fits the memory budget: doubling, then bisection, with windows/s at each size.")
        {
            stage, memory, start, max,
        };
        config.AddTo(command);
        command.SetAction((parse, cancellation) => CommandErrors.Guard(console, async () =>
        {
            var plan = RunPlanner.Plan(config.Load(parse));
            var chosen = RunConfigOptions.ReaderStage(plan, parse.GetValue(stage));
            using var probe = new ReaderProbe(chosen.Reader!);
            bool onCpu = probe.Device.type == TorchSharp.DeviceType.CPU;
            long? budget = null;
            if (onCpu)
            {
                int mb = parse.GetValue(memory) ?? throw new ArgumentException("--memory-mb is needed on the CPU: the process-memory budget in MiB");
                if (mb < 1) throw new ArgumentException("--memory-mb must be positive");
                budget = mb * 1024L * 1024L;
            }
            await console.Error.WriteLineAsync(
                $"stage '{chosen.Name}': windows of {chosen.Reader!.MaxSeqLength} tokens on {probe.Device}; budget {(budget is null ? "the device's memory" : $"{parse.GetValue(memory)} MiB of process memory")}");
            var result = BatchSizeSearch.Find(size => probe.TryBatch(size, budget), parse.GetValue(start), parse.GetValue(max), trial =>
                console.Error.WriteLine(trial.Fits
                    ? string.Create(CultureInfo.InvariantCulture, $"batch {trial.BatchSize}: fits, {trial.MemoryMb:F0} MiB, {trial.WindowsPerSecond:F1} windows/s")
                    : string.Create(CultureInfo.InvariantCulture, $"batch {trial.BatchSize}: does not fit ({trial.Failure}, {trial.MemoryMb:F0} MiB)")), cancellation);
            await console.Out.WriteLineAsync(result.Largest is { } largest
                ? $"largest batch that fits: {largest}"
                : $"no batch fits: even {parse.GetValue(start)} window(s) went over the budget");
            return result.Largest is null ? CommandErrors.InputError : 0;
        }));
        return command;
    }
}
