using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mrc.Training.Configuration;

/// <summary>One entry of <c>stages:</c>: the settings it gives, and where it starts in the file.</summary>
public sealed record StageSection(Dictionary<string, ConfigValue> Settings, ConfigSource Source);

/// <summary>
/// A run configuration as written (checked keys and types, paths made absolute), before defaults:
/// the top-level settings (run keys and every stage's defaults) and the stages, if any. Without
/// <c>stages:</c> the top-level settings describe the one stage. <see cref="Stages.RunPlanner"/>
/// turns it into the trainers' options.
/// </summary>
public sealed class RunConfig(ConfigSource origin)
{
    public ConfigSource Origin { get; } = origin;
    public Dictionary<string, ConfigValue> Top { get; } = new(StringComparer.Ordinal);
    public List<StageSection> Stages { get; } = [];

    /// <summary>
    /// A command-line override: <c>key=value</c> sets a key for the whole run (a stage setting
    /// replaces what any stage gave, so the command line has the last word), and
    /// <c>stages.NAME.key=value</c> (or <c>stages.2.key</c>, counting from 1) sets it for one stage;
    /// <c>tracking.name=value</c> sets a key of the <c>tracking:</c> section.
    /// The value is read as YAML (<c>3e-4</c>, <c>true</c>, <c>[a.txt, b.txt]</c>); relative paths are
    /// taken from the current folder.
    /// </summary>
    public void Set(string assignment)
    {
        int equals = assignment.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0) throw ConfigSource.CommandLine($"--set {assignment}").Error("expected --set key=value");
        string path = assignment[..equals].Trim();
        var source = ConfigSource.CommandLine($"--set {path}");
        YamlNode node = ParseValue(assignment[(equals + 1)..], source);
        var parts = path.Split('.');
        if (parts.Length == 3 && parts[0] == RunKeys.Stages)
        {
            var section = FindStage(parts[1], source);
            var key = StageKey(parts[2], source);
            section.Settings[key.Name] = ConfigValues.Convert(key, node, source, Environment.CurrentDirectory);
            return;
        }
        if (parts.Length != 1 && !(parts.Length == 2 && parts[0] == RunKeys.Tracking))
            throw source.Error($"expected a key, stages.NAME.key or tracking.key, got '{path}'");
        Set(path, node, source);
    }

    /// <summary>Sets one key from its flag (<c>--epochs 3</c>): the same as <c>--set epochs=3</c>, with the values taken as they are.</summary>
    public void SetFlag(RunKey key, IReadOnlyList<string> values)
    {
        YamlNode node = key.Type is KeyType.FileList or KeyType.TextList
            ? new YamlSequenceNode(values.Select(v => (YamlNode)new YamlScalarNode(v)))
            : new YamlScalarNode(values.Count == 1 ? values[0] : string.Join(' ', values));
        Set(key.Name, node, ConfigSource.CommandLine(key.Flag));
    }

    void Set(string name, YamlNode node, ConfigSource source)
    {
        var key = RunKeys.Find(name) ?? throw source.Error(RunKeys.Unknown(name));
        if (key.Name == "name") throw source.Error("'name' names one stage: use --set stages.N.name=...");
        Top[key.Name] = ConfigValues.Convert(key, node, source, Environment.CurrentDirectory);
        if (!key.RunLevel)
            foreach (var section in Stages) section.Settings.Remove(key.Name);
    }

    StageSection FindStage(string nameOrNumber, ConfigSource source)
    {
        var byName = Stages.Where(s => s.Settings.TryGetValue("name", out var n) && (string?)n.Value == nameOrNumber).ToList();
        if (byName.Count == 1) return byName[0];
        if (int.TryParse(nameOrNumber, out int number) && number >= 1 && number <= Stages.Count) return Stages[number - 1];
        throw source.Error(Stages.Count == 0
            ? "this configuration has no stages"
            : $"no stage '{nameOrNumber}' (stages: {string.Join(", ", Stages.Select((s, i) => s.Settings.TryGetValue("name", out var n) ? (string)n.Value! : (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)))})");
    }

    internal static RunKey StageKey(string name, ConfigSource source)
    {
        if (name == RunKeys.Tracking) throw source.Error("'tracking' describes the whole run; give it at the top, not inside a stage");
        var key = RunKeys.Find(name) ?? throw source.Error(RunKeys.Unknown(name));
        if (key.RunLevel) throw source.Error($"key '{name}' describes the whole run; give it at the top, not inside a stage");
        return key;
    }

    static YamlNode ParseValue(string text, ConfigSource source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader("value: " + text));
        }
        catch (YamlException e)
        {
            throw source.Error($"'{text}' is not a YAML value: {e.Message}");
        }
        return ((YamlMappingNode)stream.Documents[0].RootNode).Children[new YamlScalarNode("value")];
    }
}
