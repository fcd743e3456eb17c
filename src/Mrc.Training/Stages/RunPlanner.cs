using System.Text.RegularExpressions;
using Mrc.Training.Configuration;
using Mrc.Training.MaskedLm;
using Mrc.Training.ReaderTraining;

namespace Mrc.Training.Stages;

/// <summary>
/// Resolves a <see cref="RunConfig"/> into a <see cref="RunPlan"/>: defaults from the trainers'
/// options, stage settings over top-level ones, stage outputs chained, and every file and folder
/// checked, so a run that would fail later fails here, before any training, naming the key and line.
/// </summary>
public static partial class RunPlanner
{
    public const string FreshStartName = "0-start";
    public const string MixedTrainName = "mixed-train.jsonl";

    public static RunPlan Plan(RunConfig config, string? commandLine = null)
    {
        var top = config.Top;
        var start = ResolveStart(config);
        string output = Value<string>(top, "out") ?? throw config.Origin.Error("missing key 'out': the folder the trained model is written to");
        if (File.Exists(output)) throw top["out"].Source.Error($"key 'out': {output} is a file, not a folder");
        string stagesFolder = RunPlan.StagesFolderOf(output);
        string device = Value<string>(top, "device") ?? "auto";
        string head = Value<string>(top, "head") ?? Mrc.Reading.Modeling.QaHeads.Linear;
        if (!Mrc.Reading.Modeling.QaHeads.All.Contains(head))
            throw top["head"].Source.Error($"key 'head': expected one of {string.Join(", ", Mrc.Reading.Modeling.QaHeads.All)}, got '{head}'");
        bool resume = Value<bool?>(top, "resume") ?? false;
        bool mix = Value<bool?>(top, RunKeys.Mix) ?? false;
        var tracking = new TrackingSettings(
            Value<string>(top, RunKeys.RunsFolder) ?? Path.GetFullPath(Mrc.Core.Runs.RunStore.DefaultRoot),
            Value<string>(top, RunKeys.RunName) ?? Path.GetFileNameWithoutExtension(config.Origin.Origin),
            Value<IReadOnlyList<string>>(top, RunKeys.Tags) ?? []);
        if (File.Exists(tracking.RunsFolder))
            throw top[RunKeys.RunsFolder].Source.Error($"key '{RunKeys.RunsFolder}': {tracking.RunsFolder} is a file, not a folder");

        var sections = config.Stages.Count > 0 ? config.Stages : [new StageSection(new(StringComparer.Ordinal), config.Origin)];
        var configured = new List<PlannedStage>();
        string? previous = start.ModelFolder;
        for (int i = 0; i < sections.Count; i++)
        {
            var section = sections[i];
            var settings = top.Where(kv => !RunKeys.Find(kv.Key)!.RunLevel)
                .Concat(section.Settings)
                .GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);
            string task = Value<string>(settings, "task") ?? "reader";
            if (task is not ("reader" or "mlm")) throw settings["task"].Source.Error($"key 'task': expected reader or mlm, got '{task}'");
            var keyTask = task == "reader" ? KeyTask.Reader : KeyTask.Mlm;
            foreach (var (name, value) in section.Settings)
                if (RunKeys.Find(name)!.Task is var t && t != KeyTask.Both && t != keyTask)
                    throw value.Source.Error($"key '{name}' applies to {(t == KeyTask.Reader ? "reader" : "mlm")} stages only, and this is a{(task == "mlm" ? "n mlm" : " reader")} stage");

            string stageName = Value<string>(settings, "name") ?? (sections.Count == 1 ? "train" : $"stage{i + 1}");
            if (!SafeName().IsMatch(stageName)) throw settings["name"].Source.Error($"key 'name': '{stageName}' must be letters, digits, '-', '_' or '.'");
            string stageOutput = i == sections.Count - 1 ? Path.GetFullPath(output) : Path.Combine(stagesFolder, $"{i + 1}-{stageName}");
            var applicable = settings.Where(kv => RunKeys.Find(kv.Key)!.Task is var t && (t == KeyTask.Both || t == keyTask)
                && kv.Key is not ("name" or "task"));

            PlannedStage stage;
            if (task == "reader")
            {
                var train = settings.GetValueOrDefault("train") ?? throw section.Source.Error($"stage '{stageName}' needs 'train': the training questions");
                var options = new ReaderTrainingOptions
                {
                    TrainFile = (string)train.Value!,
                    ModelFolder = previous ?? Path.Combine(stagesFolder, FreshStartName),
                    OutputFolder = stageOutput,
                    Device = device,
                    Head = head,
                    Resume = resume,
                    CommandLine = commandLine,
                };
                foreach (var (name, value) in applicable)
                {
                    if (RunKeys.Find(name)!.Type == KeyType.File && value.Value is string file) RequireFile(name, file, value.Source);
                    options = StageOptions.Apply(options, name, value.Value);
                }
                if (options.DocStride >= options.MaxSeqLength)
                    throw (settings.GetValueOrDefault("doc_stride")?.Source ?? section.Source).Error(
                        $"key 'doc_stride': {options.DocStride} must be below max_seq_length ({options.MaxSeqLength})");
                stage = new PlannedStage(stageName, options, null);
            }
            else
            {
                var corpus = settings.GetValueOrDefault("corpus") ?? throw section.Source.Error($"stage '{stageName}' needs 'corpus': the texts to pre-train on");
                var options = new MlmTrainingOptions
                {
                    CorpusFiles = (IReadOnlyList<string>)corpus.Value!,
                    OutputFolder = stageOutput,
                    ModelFolder = previous,
                    ConfigFile = previous is null ? start.ConfigFile : null,
                    TokenizerFolder = previous is null ? start.TokenizerFolder : null,
                    Device = device,
                    CommandLine = commandLine,
                };
                foreach (var (name, value) in applicable)
                {
                    if (value.Value is IReadOnlyList<string> files) foreach (var file in files) RequireFile(name, file, value.Source);
                    options = StageOptions.Apply(options, name, value.Value);
                }
                stage = new PlannedStage(stageName, null, options);
            }
            configured.Add(stage);
            previous = stageOutput;
        }

        var stages = mix ? [Mixed(configured, top[RunKeys.Mix].Source, output, stagesFolder)] : configured;
        return new RunPlan(start, Path.GetFullPath(output), device, head, resume, mix, tracking, configured, stages);
    }

    /// <summary>
    /// <c>mix: true</c>: one reader stage on the union of every stage's training file, with the last
    /// stage's settings (the data the run is for), starting where the first stage would have.
    /// </summary>
    static PlannedStage Mixed(List<PlannedStage> configured, ConfigSource mixSource, string output, string stagesFolder)
    {
        if (configured.Any(s => s.Reader is null)) throw mixSource.Error("'mix' mixes reader stages; an mlm stage cannot be mixed in");
        var last = configured[^1].Reader!;
        return new PlannedStage("mixed", last with
        {
            TrainFile = Path.Combine(stagesFolder, MixedTrainName),
            ModelFolder = configured[0].Reader!.ModelFolder,
            OutputFolder = Path.GetFullPath(output),
        }, null);
    }

    static RunStart ResolveStart(RunConfig config)
    {
        var top = config.Top;
        top.TryGetValue("model", out var model);
        top.TryGetValue("model_config", out var modelConfig);
        top.TryGetValue("tokenizer", out var tokenizer);
        if ((model is null) == (modelConfig is null))
            throw (model?.Source ?? config.Origin).Error("give the start model: 'model' (a model folder), or 'model_config' with 'tokenizer' for a fresh model");
        if (model is not null)
        {
            if (tokenizer is not null) throw tokenizer.Source.Error("key 'tokenizer' goes with 'model_config'; a model folder brings its own");
            RequireFolder("model", (string)model.Value!, model.Source);
            return new RunStart((string)model.Value!, null, null);
        }
        if (tokenizer is null) throw modelConfig!.Source.Error("key 'model_config' needs 'tokenizer': the folder with vocab.txt");
        RequireFile("model_config", (string)modelConfig!.Value!, modelConfig.Source);
        RequireFolder("tokenizer", (string)tokenizer.Value!, tokenizer.Source);
        return new RunStart(null, (string)modelConfig.Value!, (string)tokenizer.Value!);
    }

    static void RequireFile(string key, string path, ConfigSource source)
    {
        if (!File.Exists(path)) throw source.Error($"key '{key}': file not found: {path}");
    }

    static void RequireFolder(string key, string path, ConfigSource source)
    {
        if (!Directory.Exists(path)) throw source.Error($"key '{key}': folder not found: {path}");
    }

    static T? Value<T>(Dictionary<string, ConfigValue> settings, string key) =>
        settings.TryGetValue(key, out var value) ? (T?)value.Value : default;

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex SafeName();
}
