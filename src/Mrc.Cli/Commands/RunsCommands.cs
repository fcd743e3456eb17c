using System.CommandLine;
using System.Globalization;
using Mrc.Core.Runs;

namespace Mrc.Cli.Commands;

/// <summary>`mrc runs list` and `mrc runs show ID`: the run store as text.</summary>
internal static class RunsCommands
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("runs", "Tracked training runs: list them, or show one with its metrics.");
        command.Subcommands.Add(List(console));
        command.Subcommands.Add(Show(console));
        return command;
    }

    static Option<string> RunsFolder() => new("--runs-dir")
    {
        DefaultValueFactory = _ => RunStore.DefaultRoot,
        Description = "Run store folder.",
    };

    static Command List(CliConsole console)
    {
        var folder = RunsFolder();
        var kind = new Option<string?>("--kind") { Description = "Only runs of this kind: reader, mlm or sweep-trial." };
        var status = new Option<string?>("--status") { Description = "Only runs with this status: running, finished, failed or interrupted." };
        var tag = new Option<string?>("--tag") { Description = "Only runs with this tag." };
        var command = new Command("list", "Runs, newest first: id, kind, status, start, steps, best F1, name.") { folder, kind, status, tag };
        command.SetAction((parse, _) => CommandErrors.Guard(console, async () =>
        {
            if (parse.GetValue(kind) is { } k && !RunKinds.All.Contains(k))
                throw new ArgumentException($"--kind must be one of {string.Join(", ", RunKinds.All)}");
            if (parse.GetValue(status) is { } s && !RunStatuses.All.Contains(s))
                throw new ArgumentException($"--status must be one of {string.Join(", ", RunStatuses.All)}");
            var store = new RunStore(parse.GetValue(folder)!);
            var runs = store.List()
                .Where(r => parse.GetValue(kind) is not { } wanted || r.Kind == wanted)
                .Where(r => parse.GetValue(status) is not { } wanted || r.Status == wanted)
                .Where(r => parse.GetValue(tag) is not { } wanted || r.Tags.Contains(wanted))
                .ToList();
            if (runs.Count == 0)
            {
                await console.Error.WriteLineAsync($"no runs in {store.Root}");
                return 0;
            }
            await console.Out.WriteLineAsync($"{"id",-30} {"kind",-11} {"status",-11} {"started (UTC)",-16} {"steps",6} {"best F1",7}  name");
            foreach (var run in runs)
            {
                var metrics = store.ReadMetrics(run.Id);
                int steps = metrics.Count == 0 ? 0 : metrics.Max(m => m.Step);
                string best = metrics.Where(m => m.F1 is not null).Select(m => m.F1!.Value).DefaultIfEmpty(double.NaN).Max() is var f && double.IsNaN(f) ? "–" : f.ToString("F2", CultureInfo.InvariantCulture);
                await console.Out.WriteLineAsync($"{run.Id,-30} {run.Kind,-11} {run.Status,-11} {run.StartedUtc:yyyy-MM-dd HH:mm} {steps,6} {best,7}  {run.Name}");
            }
            return 0;
        }));
        return command;
    }

    static Command Show(CliConsole console)
    {
        var folder = RunsFolder();
        var id = new Argument<string>("id") { Description = "The run id (see `mrc runs list`)." };
        var command = new Command("show", "One run: its record, configuration, last step and evaluations.") { id, folder };
        command.SetAction((parse, _) => CommandErrors.Guard(console, async () =>
        {
            var store = new RunStore(parse.GetValue(folder)!);
            string wanted = parse.GetValue(id)!;
            var run = store.Find(wanted) ?? throw new ArgumentException($"no run '{wanted}' in {store.Root}");
            var metrics = store.ReadMetrics(run.Id);
            var w = console.Out;
            await w.WriteLineAsync($"run       {run.Id}");
            await w.WriteLineAsync($"name      {run.Name}");
            await w.WriteLineAsync($"kind      {run.Kind}");
            await w.WriteLineAsync($"status    {run.Status}{(run.Error is null ? "" : $" ({run.Error})")}");
            await w.WriteLineAsync($"started   {run.StartedUtc:yyyy-MM-dd HH:mm:ss} UTC");
            await w.WriteLineAsync(run.EndedUtc is { } ended
                ? $"ended     {ended:yyyy-MM-dd HH:mm:ss} UTC ({(ended - run.StartedUtc).TotalMinutes:F1} min, CPU {run.CpuSeconds:F0} s)"
                : $"heartbeat {run.HeartbeatUtc:yyyy-MM-dd HH:mm:ss} UTC (CPU {run.CpuSeconds:F0} s so far)");
            await w.WriteLineAsync($"output    {run.Output ?? "–"}");
            await w.WriteLineAsync($"tags      {(run.Tags.Count == 0 ? "–" : string.Join(", ", run.Tags))}");
            await w.WriteLineAsync("config");
            foreach (var (key, value) in run.Config) await w.WriteLineAsync($"  {key} = {value}");
            if (metrics.LastOrDefault(m => m.Loss is not null) is { } last)
                await w.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"last step {last.Step}: loss {last.Loss:F4}, lr {last.LearningRate:E2}, {last.ExamplesPerSecond:F1} ex/s"));
            foreach (var evaluation in metrics.Where(m => m.IsEvaluation))
                await w.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"evaluation at step {evaluation.Step}: EM {evaluation.ExactMatch:F2} F1 {evaluation.F1:F2}"));
            return 0;
        }));
        return command;
    }
}
