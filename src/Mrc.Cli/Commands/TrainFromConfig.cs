using System.CommandLine;
using Mrc.Training.Configuration;
using Mrc.Training.Stages;

namespace Mrc.Cli.Commands;

/// <summary>
/// `mrc train --config run.yaml`: a run described by one file (data, stages, start model, head,
/// hyperparameters, seed, device, output). Every key also has its flag (`--learning-rate 3e-4`) and
/// `--set key=value` (or `--set stages.NAME.key=value`) overrides any key; the resolved
/// configuration is saved as OUT/run.yaml, which repeats the run. Each stage is recorded in the run
/// store (`tracking:`, or `--runs-dir`, `--run-name`, `--tag`) as a run named RUN_NAME/STAGE.
/// </summary>
internal static class TrainFromConfig
{
    public static void Attach(Command train, CliConsole console)
    {
        var config = new RunConfigOptions(required: false);
        config.AddTo(train);
        var flags = RunKeys.All.Where(k => k.Name != "name").Select(k => (Key: k, Option: Flag(k))).ToList();
        foreach (var (_, option) in flags) train.Options.Add(option);

        train.SetAction((parse, cancellation) => CommandErrors.Guard(console, async () =>
        {
            if (parse.GetValue(config.Config) is null)
                throw new ArgumentException("give a run configuration (mrc train --config run.yaml) or a command: reader, mlm, baseline");
            var run = config.Load(parse, file =>
            {
                foreach (var (key, option) in flags)
                    if (parse.GetResult(option) is { Implicit: false } result)
                        file.SetFlag(key, result.Tokens.Count > 0 ? result.Tokens.Select(t => t.Value).ToList() : ["true"]);
            });

            var plan = RunPlanner.Plan(run, "mrc " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)));
            var results = new StagedRun(plan, ProgressPrinter.For(console), StagedRun.TrackEachStage(plan)).Run(cancellation);
            foreach (var r in results)
            {
                string scores = r.Best is { } best ? $"; best validation EM {best.ExactMatch:F2} F1 {best.F1:F2} at step {r.BestStep}" : "";
                await console.Error.WriteLineAsync($"stage '{r.Name}': {r.Steps} steps, final loss {r.FinalLoss:F4}{scores}; {r.OutputFolder}");
            }
            await console.Out.WriteLineAsync($"trained {results.Count} stage(s); saved to {plan.OutputFolder} with its {RunConfigWriter.FileName}");
            return 0;
        }));
    }

    static Option Flag(RunKey key) => key.Type switch
    {
        KeyType.Boolean => new Option<bool>(key.Flag) { Description = key.Description },
        KeyType.FileList => new Option<string[]>(key.Flag) { Description = key.Description, AllowMultipleArgumentsPerToken = true },
        KeyType.TextList => new Option<string[]>(key.Flag) { Description = key.Description },
        _ => new Option<string>(key.Flag) { Description = key.Description },
    };
}
