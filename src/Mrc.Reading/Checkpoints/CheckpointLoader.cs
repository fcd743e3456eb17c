using System.Collections;
using System.Text.Json;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Mrc.Reading.Checkpoints;

/// <summary>Why a checkpoint could not be loaded into a model (missing weight, wrong shape, no file).</summary>
public sealed class CheckpointException(string message) : Exception(message);

/// <summary>What loading copied: how many weights, and the checkpoint keys nothing used.</summary>
public sealed record CheckpointReport(string Source, int Loaded, IReadOnlyList<string> Unexpected);

/// <summary>
/// Reads Hugging Face checkpoints (<c>model.safetensors</c>, sharded safetensors with
/// <c>model.safetensors.index.json</c>, zip-format <c>pytorch_model.bin</c>, sharded .bin) through
/// TorchSharp.PyBridge and copies them into a module by state-dict name.
/// </summary>
/// <remarks>
/// The copy is done here rather than with PyBridge's <c>load_*(strict: false)</c>, which silently
/// loads nothing when the key prefix is wrong: every parameter of the target must be found, or the
/// load fails naming the missing ones. Keys may carry the architecture prefix (<c>bert.</c>,
/// <c>roberta.</c>, <c>electra.</c>) or not; fp16/bf16 weights are cast to the parameter's type.
/// </remarks>
public static class CheckpointLoader
{
    public const string SafetensorsFile = "model.safetensors";
    public const string SafetensorsIndexFile = "model.safetensors.index.json";
    public const string PytorchFile = "pytorch_model.bin";
    public const string PytorchIndexFile = "pytorch_model.bin.index.json";

    /// <summary>Whether the folder holds weights in a format this loader reads.</summary>
    public static bool HasCheckpoint(string folder) =>
        new[] { SafetensorsFile, SafetensorsIndexFile, PytorchFile, PytorchIndexFile }
            .Any(f => File.Exists(Path.Combine(folder, f)));

    /// <summary>Reads every tensor of the checkpoint in <paramref name="folder"/> (on the CPU, as stored).</summary>
    public static Dictionary<string, Tensor> ReadStateDict(string folder, out string source)
    {
        string Path_(string name) => Path.Combine(folder, name);
        if (File.Exists(Path_(SafetensorsFile)))
        {
            source = Path_(SafetensorsFile);
            return ReadSafetensors(source);
        }
        if (File.Exists(Path_(SafetensorsIndexFile)))
        {
            source = Path_(SafetensorsIndexFile);
            return ReadShards(folder, source, ReadSafetensors);
        }
        if (File.Exists(Path_(PytorchFile)))
        {
            source = Path_(PytorchFile);
            return ReadPickled(source);
        }
        if (File.Exists(Path_(PytorchIndexFile)))
        {
            source = Path_(PytorchIndexFile);
            return ReadShards(folder, source, ReadPickled);
        }
        throw new CheckpointException(
            $"{folder}: no weights ({SafetensorsFile}, {SafetensorsIndexFile}, {PytorchFile} or {PytorchIndexFile}).");
    }

    /// <summary>Loads the checkpoint in <paramref name="folder"/> into <paramref name="module"/>.</summary>
    public static CheckpointReport Load(nn.Module module, string folder, string prefix)
    {
        var weights = ReadStateDict(folder, out var source);
        try
        {
            return Load(module, weights, prefix, source);
        }
        finally
        {
            foreach (var tensor in weights.Values) tensor.Dispose();
        }
    }

    /// <summary>
    /// Copies <paramref name="weights"/> into every parameter and buffer of <paramref name="module"/>.
    /// A target key <c>k</c> is looked up as <c>k</c>, then with <paramref name="prefix"/> removed or
    /// added, then with the old <c>gamma</c>/<c>beta</c> LayerNorm names.
    /// </summary>
    public static CheckpointReport Load(nn.Module module, IReadOnlyDictionary<string, Tensor> weights, string prefix, string source)
    {
        var targets = module.state_dict();
        var used = new HashSet<string>(StringComparer.Ordinal);
        var missing = new List<string>();
        var badShapes = new List<string>();
        var plan = new List<(Tensor Target, Tensor Source)>();

        foreach (var (name, target) in targets)
        {
            var key = Candidates(name, prefix).FirstOrDefault(weights.ContainsKey);
            if (key is null)
            {
                missing.Add(name);
                continue;
            }
            var tensor = weights[key];
            if (!tensor.shape.SequenceEqual(target.shape))
            {
                badShapes.Add($"{key} is [{string.Join(", ", tensor.shape)}] but {name} needs [{string.Join(", ", target.shape)}]");
                continue;
            }
            used.Add(key);
            plan.Add((target, tensor));
        }

        if (missing.Count > 0 || badShapes.Count > 0)
        {
            var parts = new List<string>();
            if (missing.Count > 0)
                parts.Add($"{missing.Count} missing weight(s): {string.Join(", ", missing.Take(20))}{(missing.Count > 20 ? ", …" : "")}");
            if (badShapes.Count > 0)
                parts.Add($"shape mismatch: {string.Join("; ", badShapes.Take(10))}");
            var sample = string.Join(", ", weights.Keys.Order(StringComparer.Ordinal).Take(5));
            throw new CheckpointException($"{source}: {string.Join("; ", parts)} (checkpoint keys begin: {sample}).");
        }

        using (no_grad())
        {
            foreach (var (target, tensor) in plan)
                target.copy_(tensor.to(target.dtype, target.device));
        }
        var unexpected = weights.Keys.Where(k => !used.Contains(k)).Order(StringComparer.Ordinal).ToList();
        return new CheckpointReport(source, plan.Count, unexpected);
    }

    static IEnumerable<string> Candidates(string name, string prefix)
    {
        var withDot = prefix + ".";
        var names = new List<string> { name };
        if (name.StartsWith(withDot, StringComparison.Ordinal)) names.Add(name[withDot.Length..]);
        else names.Add(withDot + name);
        foreach (var n in names)
        {
            yield return n;
            if (n.EndsWith(".LayerNorm.weight", StringComparison.Ordinal)) yield return n[..^"weight".Length] + "gamma";
            if (n.EndsWith(".LayerNorm.bias", StringComparison.Ordinal)) yield return n[..^"bias".Length] + "beta";
        }
    }

    /// <summary>A safetensors file; a truncated or malformed one fails naming it.</summary>
    static Dictionary<string, Tensor> ReadSafetensors(string path)
    {
        try
        {
            return Safetensors.LoadStateDict(path);
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException or InvalidDataException or ArgumentException or OverflowException)
        {
            throw new CheckpointException($"{path}: not a readable safetensors file ({e.Message}).");
        }
    }

    static Dictionary<string, Tensor> ReadPickled(string path)
    {
        Hashtable table;
        try
        {
            table = PyTorchUnpickler.UnpickleStateDict(path);
        }
        catch (Exception e) when (e is InvalidDataException or NotImplementedException or InvalidOperationException or IOException)
        {
            throw new CheckpointException($"{path}: not a zip-format PyTorch state dict ({e.Message}).");
        }
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in table)
        {
            if (entry.Key is string key && entry.Value is Tensor tensor) result[key] = tensor;
        }
        return result;
    }

    static Dictionary<string, Tensor> ReadShards(string folder, string indexPath, Func<string, Dictionary<string, Tensor>> read)
    {
        using var index = JsonDocument.Parse(File.ReadAllBytes(indexPath));
        if (!index.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
            throw new CheckpointException($"{indexPath}: no weight_map.");
        var shards = map.EnumerateObject().Select(p => p.Value.ValueKind == JsonValueKind.String
                ? p.Value.GetString()!
                : throw new InvalidDataException($"{indexPath}: the weight_map entry of \"{p.Name}\" is not a file name."))
            .Distinct(StringComparer.Ordinal).ToList();
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var shard in shards)
        {
            var path = ShardPath(folder, indexPath, shard);
            if (!File.Exists(path)) throw new CheckpointException($"{indexPath}: shard {shard} not found.");
            foreach (var (key, tensor) in read(path)) result[key] = tensor;
        }
        return result;
    }

    /// <summary>
    /// Where a shard named by an index file lies, which must be inside the model folder: an index file
    /// comes with a checkpoint from elsewhere, and a name like <c>../../etc/x</c> or an absolute path would
    /// otherwise make the server read any file it can. Only the name is checked: a shard that is a
    /// symbolic link (as in Hugging Face's cache, whose snapshots link into its blob folder) is followed.
    /// </summary>
    static string ShardPath(string folder, string indexPath, string shard)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)) + Path.DirectorySeparatorChar;
        var path = Path.GetFullPath(Path.Combine(root, shard));
        if (shard.Length == 0 || Path.IsPathRooted(shard) || !path.StartsWith(root, StringComparison.Ordinal))
            throw new InvalidDataException($"{indexPath}: shard \"{shard}\" lies outside the model folder; shards must be named by paths inside it.");
        return path;
    }

    /// <summary>Writes a state dict as <c>model.safetensors</c> (what the trainer and the tests save).</summary>
    public static void SaveSafetensors(nn.Module module, string folder)
    {
        Directory.CreateDirectory(folder);
        var dict = module.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().cpu().contiguous());
        Safetensors.SaveStateDict(Path.Combine(folder, SafetensorsFile), dict);
    }
}
