using System.CommandLine;
using Mrc.Contracts.V1;
using Mrc.Training.Sweeps;

namespace Mrc.Cli.Commands;

/// <summary>
/// `mrc sweep --config sweep.yaml`: grid or random search over run-configuration keys, optionally
/// with successive halving by dev F1; every trial's run.yaml and result in the sweep folder
/// (sweep.json), `--resume` to continue an interrupted sweep, the best model copied into the model
/// repository as the next version, and `--submit SET` to send it to the leaderboard.
/// </summary>
internal static class SweepCommand
{
    public static Command Create(CliConsole console)
    {
        var config = new Option<string>("--config") { Description = "Sweep configuration (YAML); see docs/training.md.", Required = true };
        var resume = new Option<bool>("--resume") { Description = "Continue the sweep in the sweep folder: finished trials are not run again." };
        var submit = new Option<string?>("--submit") { Description = "After the sweep, submit the best model's new version to this evaluation set (needs --server)." };
        var server = new Option<string?>("--server") { Description = "The leaderboard's gRPC address for --submit, e.g. http://localhost:5081." };
        var token = new Option<string?>("--token") { Description = "Team API token for --submit (default: $MRC_TOKEN)." };
        var wait = new Option<bool>("--wait") { Description = "With --submit: watch the submission until it finishes." };
        var command = new Command("sweep", "Search run-configuration values (grid or random, successive halving by dev F1) and keep the best model.")
        {
            config, resume, submit, server, token, wait,
        };
        command.SetAction((parse, cancellation) => CommandErrors.Guard(console, async () =>
        {
            var sweep = SweepConfigReader.Read(parse.GetValue(config)!);
            string? set = parse.GetValue(submit);
            if (set is not null && (sweep.ModelName is null || parse.GetValue(server) is null))
                throw new ArgumentException("--submit needs --server and a sweep with 'repository' and 'model_name' (the version it submits)");

            var runner = new RunConfigTrialRunner(sweep, ProgressPrinter.For(console));
            var trials = SweepSpace.Trials(sweep);
            runner.Validate(trials.Select((p, i) => new TrialState(i + 1, p, $"trials/{i + 1:000}", [])));
            await console.Error.WriteLineAsync($"sweep: {trials.Count} trial(s), {sweep.Method}{(sweep.Halving is { } h ? $", halving η={h.Eta} from {h.MinSteps} steps over {h.Rungs} rungs" : "")}; state in {sweep.OutputFolder}/{SweepState.FileName}");

            var state = new SweepRunner(sweep, runner, line => console.Error.WriteLine(line)).Run(parse.GetValue(resume), cancellation);
            var best = state.Trials.Single(t => t.Id == state.BestTrial);
            var score = best.Results[^1];
            await console.Error.WriteLineAsync($"best: trial {best.Id} ({string.Join(", ", best.Parameters.Select(p => $"{p.Key}={p.Value}"))}), EM {score.ExactMatch:F2} F1 {score.F1:F2}");

            if (sweep.Repository is not null && sweep.ModelName is not null)
            {
                if (state.CopiedTo is null)
                {
                    var (_, folder) = ModelVersions.CopyAsNext(Path.Combine(sweep.OutputFolder, best.Folder, "model"), sweep.Repository, sweep.ModelName);
                    state = state with { CopiedTo = folder };
                    state.Save(sweep.OutputFolder);
                }
                await console.Out.WriteLineAsync($"best trial {best.Id} copied to {state.CopiedTo}");
                if (set is not null)
                {
                    var request = new SubmitRequest
                    {
                        EvaluationSet = set,
                        Description = $"sweep {Path.GetFileName(sweep.File)}, trial {best.Id}: {string.Join(", ", best.Parameters.Select(p => $"{p.Key}={p.Value}"))}",
                        ModelRun = new ModelRun { Model = sweep.ModelName, Version = Path.GetFileName(state.CopiedTo!) },
                    };
                    return await LeaderboardCommands.SendAsync(console, parse.GetValue(server)!, parse.GetValue(token), request, parse.GetValue(wait), cancellation);
                }
            }
            else await console.Out.WriteLineAsync($"best trial {best.Id}: {Path.Combine(sweep.OutputFolder, best.Folder, "model")}");
            return 0;
        }));
        return command;
    }
}
