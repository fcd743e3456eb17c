using System.CommandLine;
using Mrc.Training.Configuration;
using Mrc.Training.Stages;

namespace Mrc.Cli.Commands;

/// <summary>`--config FILE` and `--set key=value`, shared by `mrc train`, `mrc tune` and `mrc sweep`.</summary>
internal sealed class RunConfigOptions(bool required)
{
    public Option<string?> Config { get; } = new("--config") { Description = "Run configuration (YAML); see docs/training.md.", Required = required };

    public Option<string[]> Set { get; } = new("--set")
    {
        Description = "Override a key: key=value for the whole run, stages.NAME.key=value (or stages.N, from 1) for one stage; the value is read as YAML.",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Config);
        command.Options.Add(Set);
    }

    /// <summary>Reads the file, applies <paramref name="flags"/> (a command's own flags), then every --set.</summary>
    public RunConfig Load(ParseResult parse, Action<RunConfig>? flags = null)
    {
        var run = RunConfigReader.Read(parse.GetValue(Config)!);
        flags?.Invoke(run);
        foreach (var assignment in parse.GetValue(Set) ?? []) run.Set(assignment);
        return run;
    }

    /// <summary>The reader stage a finder probes: --stage NAME or N (from 1), else the last stage; its start model must exist.</summary>
    public static PlannedStage ReaderStage(RunPlan plan, string? stage)
    {
        int index = stage is null ? plan.Stages.Count - 1
            : plan.Stages.ToList().FindIndex(s => s.Name == stage) is var byName and >= 0 ? byName
            : int.TryParse(stage, out int number) && number >= 1 && number <= plan.Stages.Count ? number - 1
            : throw new ArgumentException($"--stage {stage}: no such stage (stages: {string.Join(", ", plan.Stages.Select(s => s.Name))})");
        var chosen = plan.Stages[index];
        if (chosen.Reader is null) throw new ArgumentException($"stage '{chosen.Name}' is a masked-LM stage; the finders probe reader stages");
        if (index == 0) StagedRun.Prepare(plan);
        else if (!Directory.Exists(chosen.Reader.ModelFolder))
            throw new ArgumentException($"stage '{chosen.Name}' starts from {chosen.Reader.ModelFolder}, the output of the stage before it, "
                + "which does not exist yet: run the earlier stages (mrc train --config) or probe stage 1");
        return chosen;
    }
}
