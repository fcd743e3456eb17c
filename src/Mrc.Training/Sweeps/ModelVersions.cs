using Mrc.Core.Data;

namespace Mrc.Training.Sweeps;

/// <summary>Copies a trained model into the model repository as the model's next version (<c>models/NAME/N+1</c>).</summary>
public static class ModelVersions
{
    /// <summary>One more than the leading number of the highest version ("latest" as the reader orders them); 1 for a new model.</summary>
    public static string Next(string repository, string name)
    {
        string folder = Path.Combine(repository, name);
        var versions = Directory.Exists(folder) ? Directory.GetDirectories(folder).Select(Path.GetFileName).OfType<string>()
            .Where(v => !v.Contains(".saving", StringComparison.Ordinal) && int.TryParse(v.Split('.')[0], out _)).ToList() : [];
        if (versions.Count == 0) return "1";
        string highest = versions.Max(VersionComparer.Instance)!;
        return (int.Parse(highest.Split('.')[0], System.Globalization.CultureInfo.InvariantCulture) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public static (string Version, string Folder) CopyAsNext(string modelFolder, string repository, string name)
    {
        string version = Next(repository, name);
        string target = Path.Combine(repository, name, version);
        // Copied beside the destination and moved in: the reader never sees half a version.
        string temp = target + ".saving";
        if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        Directory.CreateDirectory(temp);
        foreach (var file in Directory.GetFiles(modelFolder))
            File.Copy(file, Path.Combine(temp, Path.GetFileName(file)));
        Directory.Move(temp, target);
        return (version, target);
    }
}
