using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mrc.Training.Configuration;

/// <summary>
/// Reads a run configuration (YAML) and checks every key's name and type, so a typo or a wrong
/// value stops the run before anything is trained, with the file, line and key in the message.
/// Relative paths are taken from the config file's folder.
/// </summary>
public static class RunConfigReader
{
    public static RunConfig Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"run configuration not found: {path}", path);
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(path);
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            throw new Mrc.Core.Data.DataFormatException(path, e.Start.Line, e.Start.Column, e.InnerException?.Message ?? e.Message, e);
        }
        var origin = new ConfigSource(path, 1, 1);
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw origin.Error("a run configuration is a mapping of keys to values (see docs/training.md)");

        string baseFolder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var config = new RunConfig(origin);
        foreach (var (keyNode, valueNode) in root.Children)
        {
            var (name, source) = KeyOf(keyNode, path);
            if (name == RunKeys.Stages)
            {
                config.Stages.AddRange(ReadStages(valueNode, source, path, baseFolder));
                continue;
            }
            if (name == RunKeys.Tracking)
            {
                ReadTracking(config, valueNode, source, path, baseFolder);
                continue;
            }
            var key = RunKeys.Find(name) ?? throw source.Error(RunKeys.Unknown(name));
            if (key.Name == "name") throw source.Error("'name' names one stage: give it inside stages");
            config.Top[key.Name] = ConfigValues.Convert(key, valueNode, source, baseFolder);
        }
        return config;
    }

    /// <summary><c>tracking:</c> holds the keys <c>tracking.runs_dir</c>, <c>tracking.name</c> and <c>tracking.tags</c> of the table.</summary>
    static void ReadTracking(RunConfig config, YamlNode node, ConfigSource source, string path, string baseFolder)
    {
        if (node is not YamlMappingNode mapping)
            throw source.Error("'tracking' must be a mapping of runs_dir, name and tags");
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var (name, keySource) = KeyOf(keyNode, path);
            string full = RunKeys.Tracking + "." + name;
            var key = RunKeys.Find(full) ?? throw keySource.Error(RunKeys.Unknown(full));
            config.Top[key.Name] = ConfigValues.Convert(key, valueNode, keySource, baseFolder);
        }
    }

    static IEnumerable<StageSection> ReadStages(YamlNode node, ConfigSource source, string path, string baseFolder)
    {
        if (node is not YamlSequenceNode sequence || sequence.Children.Count == 0)
            throw source.Error("'stages' must be a list of stages, each a mapping of keys (train, epochs, ...)");
        foreach (var item in sequence.Children)
        {
            var itemSource = Source(path, item);
            if (item is not YamlMappingNode mapping) throw itemSource.Error("each stage must be a mapping of keys (train, epochs, ...)");
            var settings = new Dictionary<string, ConfigValue>(StringComparer.Ordinal);
            foreach (var (keyNode, valueNode) in mapping.Children)
            {
                var (name, keySource) = KeyOf(keyNode, path);
                var key = RunConfig.StageKey(name, keySource);
                settings[key.Name] = ConfigValues.Convert(key, valueNode, keySource, baseFolder);
            }
            yield return new StageSection(settings, itemSource);
        }
    }

    static (string Name, ConfigSource Source) KeyOf(YamlNode node, string path)
    {
        var source = Source(path, node);
        return node is YamlScalarNode { Value: { Length: > 0 } name } ? (name, source) : throw source.Error("expected a key name");
    }

    static ConfigSource Source(string path, YamlNode node) => new(path, node.Start.Line, node.Start.Column);
}
