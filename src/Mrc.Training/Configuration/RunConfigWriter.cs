using Mrc.Training.Stages;
using YamlDotNet.RepresentationModel;

namespace Mrc.Training.Configuration;

/// <summary>
/// Writes a resolved run configuration: every key of every stage with its value, defaults included,
/// and absolute paths, so <c>mrc train --config OUT/run.yaml</c> repeats the run exactly even after
/// a default changes or the file moves.
/// </summary>
public static class RunConfigWriter
{
    public const string FileName = "run.yaml";

    const string Header = """
        # The resolved run configuration of this model: every setting, defaults included.
        # `mrc train --config run.yaml` repeats the run (`--set out=FOLDER` writes it elsewhere).

        """;

    public static string Write(RunPlan plan)
    {
        var root = new YamlMappingNode();
        if (plan.Start.ModelFolder is { } model) Add(root, "model", model);
        else
        {
            Add(root, "model_config", plan.Start.ConfigFile);
            Add(root, "tokenizer", plan.Start.TokenizerFolder);
        }
        Add(root, "out", plan.OutputFolder);
        Add(root, "device", plan.Device);
        if (plan.Configured.Any(s => s.Reader is not null))
        {
            Add(root, "head", plan.Head);
            Add(root, "resume", plan.Resume);
            Add(root, RunKeys.Mix, plan.Mix);
        }
        var tracking = new YamlMappingNode();
        Add(tracking, "runs_dir", plan.Tracking.RunsFolder);
        Add(tracking, "name", plan.Tracking.Name);
        Add(tracking, "tags", plan.Tracking.Tags);
        root.Add(RunKeys.Tracking, tracking);
        var stages = new YamlSequenceNode();
        foreach (var stage in plan.Configured)
        {
            var node = new YamlMappingNode();
            Add(node, "name", stage.Name);
            Add(node, "task", stage.Task);
            var keys = stage.Reader is { } reader ? StageOptions.Keys(reader) : StageOptions.Keys(stage.Mlm!);
            foreach (var (key, value) in keys) Add(node, key, value);
            stages.Add(node);
        }
        root.Add(RunKeys.Stages, stages);

        using var text = new StringWriter();
        text.Write(Header);
        new YamlStream(new YamlDocument(root)).Save(text, assignAnchors: false);
        return text.ToString().Replace("\n...\n", "\n", StringComparison.Ordinal);
    }

    public static void Save(RunPlan plan, string folder)
    {
        string path = Path.Combine(folder, FileName);
        File.WriteAllText(path + ".saving", Write(plan));
        File.Move(path + ".saving", path, overwrite: true);
    }

    static void Add(YamlMappingNode node, string key, object? value) => node.Add(key, ConfigValues.ToYaml(value));
}
