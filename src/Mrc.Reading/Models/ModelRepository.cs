using System.Text.Json;
using Mrc.Core.Data;

namespace Mrc.Reading.Models;

/// <summary>The optional <c>model-card.json</c> of a model version.</summary>
public sealed record ModelCard(string Description, IReadOnlyDictionary<string, double> Metrics);

/// <summary>
/// One <c>&lt;name&gt;/&lt;version&gt;/</c> folder of the model repository; for a team's own model
/// <c>&lt;team&gt;/&lt;model&gt;/&lt;version&gt;/</c>, named <c>&lt;team&gt;/&lt;model&gt;</c>, with <see cref="Team"/> set.
/// </summary>
public sealed record ModelEntry(string Name, string Version, string Folder, string? Team = null)
{
    public string Key => $"{Name}/{Version}";
}

/// <summary>A request named a model or version the repository does not have (gRPC NotFound).</summary>
public sealed class ModelNotFoundException(string message) : Exception(message);

/// <summary>
/// The model repository on disk: <c>models/&lt;name&gt;/&lt;version&gt;/</c>, each version holding
/// <c>config.json</c>, weights, tokenizer files and optionally <c>model-card.json</c>; a team's own
/// models (uploaded, see <c>ModelUploadStore</c>) one level deeper, <c>models/&lt;team&gt;/&lt;model&gt;/&lt;version&gt;/</c>,
/// named <c>&lt;team&gt;/&lt;model&gt;</c>. A top folder is a shared model when a sub-folder of it holds a
/// config.json, else a team's folder. Folders whose names start with a dot (the uploads' staging area)
/// are not models. Scanned on every call, so versions copied in while the server runs are seen.
/// "latest" is the highest version (compared numerically part by part: 10 &gt; 9, 1.10 &gt; 1.9).
/// </summary>
public sealed class ModelRepository(string root)
{
    public string Root => root;

    public IReadOnlyList<ModelEntry> List()
    {
        if (!Directory.Exists(root)) return [];
        var entries = new List<ModelEntry>();
        foreach (var topDir in Directory.EnumerateDirectories(root))
        {
            var name = Path.GetFileName(topDir);
            if (name.StartsWith('.')) continue;
            var versions = Versions(topDir, name, team: null);
            if (versions.Count > 0)
            {
                entries.AddRange(versions);
                continue;
            }
            foreach (var teamModelDir in Directory.EnumerateDirectories(topDir))
            {
                var model = Path.GetFileName(teamModelDir);
                if (!model.StartsWith('.')) entries.AddRange(Versions(teamModelDir, $"{name}/{model}", team: name));
            }
        }
        return [.. entries.OrderBy(e => e.Name, StringComparer.Ordinal).ThenByDescending(e => e.Version, VersionComparer.Instance)];
    }

    /// <summary>Whether <paramref name="name"/> is a shared model (its folder has a version with a config.json).</summary>
    public bool IsSharedModel(string name)
    {
        var folder = Path.Combine(root, name);
        return Directory.Exists(folder) && Versions(folder, name, team: null).Count > 0;
    }

    static List<ModelEntry> Versions(string modelDir, string name, string? team) =>
        [.. Directory.EnumerateDirectories(modelDir)
            .Where(v => !Path.GetFileName(v).StartsWith('.') && File.Exists(Path.Combine(v, "config.json")))
            .Select(v => new ModelEntry(name, Path.GetFileName(v), v, team))];

    /// <summary>The model a request naming none gets: <paramref name="defaultModel"/>, else the first shared model by name.</summary>
    public static string DefaultName(IReadOnlyList<ModelEntry> entries, string defaultModel) =>
        !string.IsNullOrEmpty(defaultModel) ? defaultModel : entries.FirstOrDefault(e => e.Team is null)?.Name ?? "";

    /// <summary>The entry for <paramref name="name"/> (empty: <paramref name="defaultModel"/> or the first) and <paramref name="version"/> (empty or "latest": highest).</summary>
    public ModelEntry Resolve(string name, string version, string defaultModel)
    {
        var entries = List();
        if (string.IsNullOrEmpty(name)) name = DefaultName(entries, defaultModel);
        var versions = entries.Where(e => e.Name == name).ToList();
        if (versions.Count == 0)
            throw new ModelNotFoundException(string.IsNullOrEmpty(name)
                ? $"the model repository {root} holds no models."
                : $"model '{name}' not found (available: {string.Join(", ", entries.Where(e => e.Team is null).Select(e => e.Name).Distinct())}).");
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
