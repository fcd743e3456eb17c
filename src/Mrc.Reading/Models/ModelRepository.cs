using System.Text.Json;
using Mrc.Core.Data;

namespace Mrc.Reading.Models;

/// <summary>The optional <c>model-card.json</c> of a model version.</summary>
public sealed record ModelCard(string Description, IReadOnlyDictionary<string, double> Metrics);

/// <summary>One <c>&lt;name&gt;/&lt;version&gt;/</c> folder of the model repository.</summary>
public sealed record ModelEntry(string Name, string Version, string Folder)
{
    public string Key => $"{Name}/{Version}";
}

/// <summary>A request named a model or version the repository does not have (gRPC NotFound).</summary>
public sealed class ModelNotFoundException(string message) : Exception(message);

/// <summary>
/// The model repository on disk: <c>models/&lt;name&gt;/&lt;version&gt;/</c>, each version holding
/// <c>config.json</c>, weights, tokenizer files and optionally <c>model-card.json</c>. Scanned on every
/// call, so versions copied in while the server runs are seen. "latest" is the highest version
/// (compared numerically part by part: 10 &gt; 9, 1.10 &gt; 1.9).
/// </summary>
public sealed class ModelRepository(string root)
{
    public string Root => root;

    public IReadOnlyList<ModelEntry> List()
    {
        if (!Directory.Exists(root)) return [];
        var entries = new List<ModelEntry>();
        foreach (var modelDir in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(modelDir);
            foreach (var versionDir in Directory.EnumerateDirectories(modelDir))
            {
                if (File.Exists(Path.Combine(versionDir, "config.json")))
                    entries.Add(new ModelEntry(name, Path.GetFileName(versionDir), versionDir));
            }
        }
        return [.. entries.OrderBy(e => e.Name, StringComparer.Ordinal).ThenByDescending(e => e.Version, VersionComparer.Instance)];
    }

    /// <summary>The entry for <paramref name="name"/> (empty: <paramref name="defaultModel"/> or the first) and <paramref name="version"/> (empty or "latest": highest).</summary>
    public ModelEntry Resolve(string name, string version, string defaultModel)
    {
        var entries = List();
        if (string.IsNullOrEmpty(name)) name = string.IsNullOrEmpty(defaultModel) ? (entries.Count > 0 ? entries[0].Name : "") : defaultModel;
        var versions = entries.Where(e => e.Name == name).ToList();
        if (versions.Count == 0)
            throw new ModelNotFoundException(string.IsNullOrEmpty(name)
                ? $"the model repository {root} holds no models."
                : $"model '{name}' not found (available: {string.Join(", ", entries.Select(e => e.Name).Distinct())}).");
        if (string.IsNullOrEmpty(version) || version == "latest") return versions[0];
        return versions.FirstOrDefault(e => e.Version == version)
            ?? throw new ModelNotFoundException($"model '{name}' has no version '{version}' (available: {string.Join(", ", versions.Select(v => v.Version))}).");
    }

    /// <summary>The architecture named by the version's config.json, or null when it cannot be read.</summary>
    public static string? ReadArchitecture(ModelEntry entry)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(entry.Folder, "config.json")));
            return document.RootElement.TryGetProperty("model_type", out var type) ? type.GetString() : "bert";
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The version's model card, or null when it has none or it is unreadable.</summary>
    public static ModelCard? ReadCard(ModelEntry entry)
    {
        var path = Path.Combine(entry.Folder, "model-card.json");
        if (!File.Exists(path)) return null;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            var description = root.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()! : "";
            var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
            if (root.TryGetProperty("metrics", out var m) && m.ValueKind == JsonValueKind.Object)
            {
                foreach (var metric in m.EnumerateObject())
                {
                    if (metric.Value.ValueKind == JsonValueKind.Number) metrics[metric.Name] = metric.Value.GetDouble();
                }
            }
            return new ModelCard(description, metrics);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
