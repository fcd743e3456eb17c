using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Mrc.Training.Configuration;

/// <summary>Turns a YAML node into the value its key needs, or stops with the key and the place.</summary>
public static class ConfigValues
{
    /// <summary>Keys that may be set to null (<c>validation: ~</c> trains a stage without validation).</summary>
    static readonly HashSet<string> Nullable = ["validation"];

    public static ConfigValue Convert(RunKey key, YamlNode node, ConfigSource source, string baseFolder)
    {
        if (key.Type == KeyType.TextList)
        {
            var words = node switch
            {
                YamlSequenceNode sequence => sequence.Children.Select(c => Scalar(key, c, source)).ToList(),
                _ => Scalar(key, node, source) is { } one ? [one] : [],
            };
            if (words.Any(w => string.IsNullOrWhiteSpace(w))) throw source.Error($"key '{key.Name}': expected a list of words, with no empty one");
            return new ConfigValue(words.Select(w => w!.Trim()).ToList(), source);
        }
        if (key.Type == KeyType.FileList)
        {
            var items = node switch
            {
                YamlSequenceNode sequence => sequence.Children.Select(c => Scalar(key, c, source)).ToList(),
                _ => [Scalar(key, node, source)],
            };
            if (items.Count == 0 || items.Any(i => i is null)) throw source.Error($"key '{key.Name}': expected one or more file paths");
            return new ConfigValue(items.Select(i => Path.GetFullPath(i!, baseFolder)).ToList(), source);
        }

        string? text = Scalar(key, node, source);
        if (text is null)
        {
            if (Nullable.Contains(key.Name)) return new ConfigValue(null, source);
            throw source.Error($"key '{key.Name}' needs a value");
        }
        object value = key.Type switch
        {
            KeyType.Text => text,
            KeyType.WholeNumber => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l)
                ? l : throw source.Error($"key '{key.Name}': expected an integer, got '{text}'"),
            KeyType.Number => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d)
                ? d : throw source.Error($"key '{key.Name}': expected a number, got '{text}'"),
            KeyType.Boolean => text switch
            {
                "true" or "True" or "TRUE" => true,
                "false" or "False" or "FALSE" => false,
                _ => throw source.Error($"key '{key.Name}': expected true or false, got '{text}'"),
            },
            _ => Path.GetFullPath(text, baseFolder),
        };
        if (key.Range is { } range && !range.Contains(System.Convert.ToDouble(value, CultureInfo.InvariantCulture)))
            throw source.Error($"key '{key.Name}': {text} is out of range; it must be {range}");
        return new ConfigValue(value, source);
    }

    /// <summary>The text of a scalar; null for YAML's null (<c>~</c>, <c>null</c>, or nothing).</summary>
    static string? Scalar(RunKey key, YamlNode node, ConfigSource source)
    {
        if (node is not YamlScalarNode scalar)
            throw source.Error($"key '{key.Name}': expected a single value, got a {(node is YamlSequenceNode ? "list" : "mapping")}");
        bool plain = scalar.Style is YamlDotNet.Core.ScalarStyle.Plain or YamlDotNet.Core.ScalarStyle.Any;
        if (plain && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL") return null;
        return scalar.Value;
    }

    /// <summary>The value as YAML text for the saved configuration.</summary>
    public static YamlNode ToYaml(object? value) => value switch
    {
        null => new YamlScalarNode("~"),
        bool b => new YamlScalarNode(b ? "true" : "false"),
        double d => new YamlScalarNode(d.ToString("R", CultureInfo.InvariantCulture)),
        int or long => new YamlScalarNode(System.Convert.ToString(value, CultureInfo.InvariantCulture)),
        IEnumerable<string> list => new YamlSequenceNode(list.Select(s => (YamlNode)Text(s))),
        _ => Text(System.Convert.ToString(value, CultureInfo.InvariantCulture)!),
    };

    // Quoted whenever a plain scalar would read back as something else (a number, true, ~, ...).
    static YamlScalarNode Text(string text) => new(text) { Style = YamlDotNet.Core.ScalarStyle.DoubleQuoted };
}
