using System.Globalization;
using Mrc.Reading.Models;

namespace Mrc.Training.Sweeps;

/// <summary>Copies a trained model into the model repository as the model's next version (<c>models/NAME/N+1</c>).</summary>
public static class ModelVersions
{
    /// <summary>
    /// One more than the leading number of the highest version the model repository lists for
    /// <paramref name="name"/> ("latest" as the reader orders them); 1 for a new model.
    /// </summary>
    public static string Next(string repository, string name)
    {
        var highest = new ModelRepository(repository).List()
            .Where(e => e.Name == name && int.TryParse(e.Version.Split('.')[0], CultureInfo.InvariantCulture, out _))
            .Select(e => e.Version).FirstOrDefault();
        return highest is null ? "1" : (int.Parse(highest.Split('.')[0], CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
    }

    public static (string Version, string Folder) CopyAsNext(string modelFolder, string repository, string name)
    {
        string version = Next(repository, name);
        string target = Path.Combine(repository, name, version);
        if (Directory.Exists(target)) throw new IOException($"{target} exists but holds no model (no config.json); move it away and run again with --resume");
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
