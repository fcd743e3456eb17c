namespace Mrc.Retrieval.Indexing;

/// <summary>
/// How an index folder is laid out on disk:
/// <code>
/// DIR/CURRENT          name of the live generation (one line)
/// DIR/gen-…/           a complete Lucene index plus metadata.json
/// DIR/.build-…/        a build in progress (deleted when it fails)
/// </code>
/// A build writes a new generation beside the live one and then replaces CURRENT with a rename,
/// which is atomic: readers see either the old generation or the new one, never a mix, and a build
/// that fails before the rename leaves the old index exactly as it was.
/// </summary>
public static class IndexLayout
{
    public const string PointerFileName = "CURRENT";
    const string GenerationPrefix = "gen-";
    const string StagingPrefix = ".build-";
    const string LockFileName = ".build.lock";

    /// <summary>
    /// Holds DIR for one build. Two builds publishing into one folder at once could each prune the
    /// other's fresh generation; the second one fails fast instead. The lock is released (and its
    /// file removed) on dispose, and by the OS if the process dies.
    /// </summary>
    internal static FileStream LockForBuild(string indexDirectory)
    {
        string path = Path.Combine(indexDirectory, LockFileName);
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (IOException e)
        {
            throw new IndexBusyException($"Another build is writing '{indexDirectory}': wait for it to finish, or build into another folder.", e);
        }
    }

    /// <summary>The folder of the live generation and its name, or null when DIR holds no published index.</summary>
    public static (string Name, string Path)? ReadCurrent(string indexDirectory)
    {
        string pointer = Path.Combine(indexDirectory, PointerFileName);
        if (!File.Exists(pointer)) return null;
        string name = File.ReadAllText(pointer).Trim();
        return (name, Path.Combine(indexDirectory, name));
    }

    internal static string NewStagingDirectory(string indexDirectory) =>
        Path.Combine(indexDirectory, StagingPrefix + Guid.NewGuid().ToString("N")[..12]);

    internal static string NewGenerationName(DateTimeOffset builtAt) =>
        $"{GenerationPrefix}{builtAt.UtcDateTime:yyyyMMdd'T'HHmmssfff'Z'}-{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>Makes <paramref name="generationName"/> the live generation with one atomic rename.</summary>
    internal static void Publish(string indexDirectory, string generationName)
    {
        string pointer = Path.Combine(indexDirectory, PointerFileName);
        string temporary = Path.Combine(indexDirectory, PointerFileName + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp");
        using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
        {
            stream.Write(System.Text.Encoding.UTF8.GetBytes(generationName + "\n"));
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, pointer, overwrite: true);
    }

    /// <summary>
    /// Deletes generations other than the live one and the one it replaced. The replaced one stays
    /// because a running service may still be answering from it until its next reload.
    /// </summary>
    internal static void PruneGenerations(string indexDirectory, string live, string? previous)
    {
        foreach (var directory in Directory.EnumerateDirectories(indexDirectory, GenerationPrefix + "*"))
        {
            string name = Path.GetFileName(directory);
            if (name == live || name == previous) continue;
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Still open somewhere (e.g. another platform's file locks): the next build tries again.
            }
            catch (UnauthorizedAccessException)
            {
                // Same: leaving an old generation behind costs disk space, not correctness.
            }
        }
    }
}

/// <summary>Another build holds the index folder.</summary>
public sealed class IndexBusyException(string message, Exception inner) : IOException(message, inner);
