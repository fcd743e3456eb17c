using System.Globalization;
using Mrc.Core.Data;
using Mrc.Training.Configuration;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mrc.Training.Sweeps;

/// <summary>Reads sweep.yaml, checking every key as the run configuration's reader does (file, line, key).</summary>
public static class SweepConfigReader
{
    static readonly string[] Keys = ["run", "out", "method", "trials", "seed", "parameters", "halving", "repository", "model_name"];
    static readonly string[] HalvingKeys = ["eta", "min_steps", "rungs"];

    public static SweepConfig Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"sweep configuration not found: {path}", path);
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(path);
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            throw new DataFormatException(path, e.Start.Line, e.Start.Column, e.InnerException?.Message ?? e.Message, e);
        }
        var origin = new ConfigSource(path, 1, 1);
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw origin.Error("a sweep configuration is a mapping of keys to values (see docs/training.md)");
        string baseFolder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var map = Mapping(root, path, Keys);

        string runFile = Path.GetFullPath(Text(map, "run") ?? throw origin.Error("missing key 'run': the run configuration the trials start from"), baseFolder);
        if (!File.Exists(runFile)) throw map["run"].Key.Error($"key 'run': file not found: {runFile}");
        string output = Path.GetFullPath(Text(map, "out") ?? throw origin.Error("missing key 'out': the sweep's folder"), baseFolder);
        string method = Text(map, "method") ?? SweepConfig.Grid;
        if (method is not (SweepConfig.Grid or SweepConfig.Random)) throw map["method"].Key.Error($"key 'method': expected grid or random, got '{method}'");
        int trials = Integer(map, "trials", 1) ?? (method == SweepConfig.Random ? throw origin.Error("random search needs 'trials': how many to draw") : 0);
        int seed = Integer(map, "seed", 0) ?? 0;

        if (!map.TryGetValue("parameters", out var parametersEntry) || parametersEntry.Value is not YamlMappingNode parametersNode || parametersNode.Children.Count == 0)
            throw (parametersEntry.Key ?? origin).Error("'parameters' must map run-configuration keys to values or ranges");
        var parameters = new List<SweepParameter>();
        foreach (var (keyNode, valueNode) in parametersNode.Children)
        {
            var source = new ConfigSource(path, keyNode.Start.Line, keyNode.Start.Column);
            string key = ((YamlScalarNode)keyNode).Value!;
            parameters.Add(valueNode switch
            {
                YamlSequenceNode { Children.Count: > 0 } list => new SweepParameter(key,
                    list.Children.Select(c => c is YamlScalarNode { Value: { } v } ? v : throw source.Error($"parameter '{key}': list items must be single values")).ToList(),
                    0, 0, false, source),
                YamlMappingNode range when method == SweepConfig.Random => Range(key, range, source, path),
                YamlMappingNode => throw source.Error($"parameter '{key}': a grid needs a list of values; ranges are for random search"),
                _ => throw source.Error($"parameter '{key}': expected a list of values, or for random search {{min, max, log}}"),
            });
        }

        HalvingSettings? halving = null;
        if (map.TryGetValue("halving", out var halvingEntry))
        {
            if (halvingEntry.Value is not YamlMappingNode halvingNode) throw halvingEntry.Key.Error("'halving' must be a mapping: eta, min_steps, rungs");
            var h = Mapping(halvingNode, path, HalvingKeys);
            double eta = Number(h, "eta") ?? 3;
            if (eta <= 1) throw h["eta"].Key.Error("key 'eta': must be above 1");
            halving = new HalvingSettings(eta,
                Integer(h, "min_steps", 1) ?? throw halvingEntry.Key.Error("'halving' needs 'min_steps': the steps every trial runs first"),
                Integer(h, "rungs", 1) ?? 3);
        }

        string? repository = Text(map, "repository") is { } r ? Path.GetFullPath(r, baseFolder) : null;
        string? modelName = Text(map, "model_name");
        if ((repository is null) != (modelName is null))
            throw (map.GetValueOrDefault("repository").Key ?? map["model_name"].Key).Error("'repository' and 'model_name' go together: where the best model is copied as the next version");
        if (modelName is not null && (modelName.Contains('/', StringComparison.Ordinal) || modelName.Contains('\\', StringComparison.Ordinal) || modelName.StartsWith('.')))
            throw map["model_name"].Key.Error($"key 'model_name': '{modelName}' must be a plain folder name");
        return new SweepConfig(path, runFile, output, method, trials, seed, parameters, halving, repository, modelName);
    }

    static SweepParameter Range(string key, YamlMappingNode node, ConfigSource source, string path)
    {
        var map = Mapping(node, path, ["min", "max", "log"]);
        double min = Number(map, "min") ?? throw source.Error($"parameter '{key}': a range needs 'min'");
        double max = Number(map, "max") ?? throw source.Error($"parameter '{key}': a range needs 'max'");
        bool log = Text(map, "log") is { } l && (l is "true" or "false" ? l == "true" : throw map["log"].Key.Error("key 'log': expected true or false"));
        if (max <= min) throw source.Error($"parameter '{key}': 'max' must be above 'min'");
        if (log && min <= 0) throw source.Error($"parameter '{key}': a log range needs min > 0");
        return new SweepParameter(key, null, min, max, log, source);
    }

    static Dictionary<string, (ConfigSource Key, YamlNode Value)> Mapping(YamlMappingNode node, string path, string[] allowed)
    {
        var map = new Dictionary<string, (ConfigSource, YamlNode)>(StringComparer.Ordinal);
        foreach (var (keyNode, valueNode) in node.Children)
        {
            var source = new ConfigSource(path, keyNode.Start.Line, keyNode.Start.Column);
            string name = keyNode is YamlScalarNode { Value: { } v } ? v : throw source.Error("expected a key name");
            if (!allowed.Contains(name)) throw source.Error($"unknown key '{name}' (expected one of: {string.Join(", ", allowed)})");
            map[name] = (source, valueNode);
        }
        return map;
    }

    static string? Text(Dictionary<string, (ConfigSource Key, YamlNode Value)> map, string key) =>
        !map.TryGetValue(key, out var entry) ? null
        : entry.Value is YamlScalarNode { Value: { Length: > 0 } v } ? v
        : throw entry.Key.Error($"key '{key}': expected a single value");

    static int? Integer(Dictionary<string, (ConfigSource Key, YamlNode Value)> map, string key, int min) =>
        Text(map, key) is not { } text ? null
        : int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) && value >= min ? value
        : throw map[key].Key.Error($"key '{key}': expected an integer of at least {min}, got '{text}'");

    static double? Number(Dictionary<string, (ConfigSource Key, YamlNode Value)> map, string key) =>
        Text(map, key) is not { } text ? null
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value) ? value
        : throw map[key].Key.Error($"key '{key}': expected a number, got '{text}'");
}
