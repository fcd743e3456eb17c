using System.CommandLine;
using Mrc.Core.Runs;
using Mrc.Training.Stages;
using Mrc.Training.Tracking;

namespace Mrc.Cli.Commands;

/// <summary>
/// The options every training command shares for its run record (<c>--runs-dir</c>, <c>--run-name</c>,
/// <c>--tag</c>), and the wrapper that records the run: started before training, ended as finished,
/// failed (with the error) or interrupted (Ctrl+C).
/// </summary>
internal sealed class RunTracking
{
    public Option<string> RunsFolder { get; } = new("--runs-dir")
    {
        DefaultValueFactory = _ => RunStore.DefaultRoot,
        Description = "Run store: each run gets a folder with run.json, metrics.jsonl and TensorBoard events.",
    };

    public Option<string?> RunName { get; } = new("--run-name") { Description = "A name for the run (default: its id)." };

    public Option<string[]> Tags { get; } = new("--tag") { Description = "A tag for the run; repeat for more.", AllowMultipleArgumentsPerToken = false };

    public void AddTo(Command command)
    {
        command.Options.Add(RunsFolder);
        command.Options.Add(RunName);
        command.Options.Add(Tags);
    }

    /// <summary>Where and under which name a flag-driven run is recorded, as its run.yaml says it.</summary>
    public TrackingSettings Settings(ParseResult parse, string output) => new(
        Path.GetFullPath(parse.GetValue(RunsFolder)!),
        parse.GetValue(RunName) ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(output))),
        parse.GetValue(Tags) ?? []);

    public T Run<T>(ParseResult parse, CliConsole console, string kind, object options, string output, Func<IRunTracker, T> train)
    {
        var store = new RunStore(parse.GetValue(RunsFolder)!);
        using var run = TrackedRun.Start(store, kind, parse.GetValue(RunName) ?? "", options, output, parse.GetValue(Tags) ?? []);
        console.Error.WriteLine($"run {run.RunId} recorded in {run.Folder}");
        return run.Record(train);
    }
}
