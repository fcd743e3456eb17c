using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mrc.Retrieval.Indexing;

/// <summary>
/// What an index holds and how it was built, stored as <c>metadata.json</c> inside the index
/// generation it describes, so the two are always swapped in together.
/// </summary>
public sealed record IndexMetadata
{
    public const string FileName = "metadata.json";
    public const int CurrentFormat = 1;

    public int Format { get; init; } = CurrentFormat;
    public required string CorpusSource { get; init; }
    public required string CorpusSha256 { get; init; }
    public required string Analyzer { get; init; }
    public required int ChunkSize { get; init; }
    public required int ChunkOverlap { get; init; }
    public required bool TitlePrefix { get; init; }
    public required long DocumentCount { get; init; }
    public required long PassageCount { get; init; }
    public required long DuplicatesSkipped { get; init; }
    public required DateTimeOffset BuiltAt { get; init; }
    public string LuceneVersion { get; init; } = "4.8";

    static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public void Save(string directory)
    {
        // Written beside and then renamed, so a crash never leaves half a file under the real name.
        string path = Path.Combine(directory, FileName);
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, ToJson());
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The metadata as <c>metadata.json</c> holds it (and an Elasticsearch index's <c>_meta</c>).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Reads <see cref="ToJson"/>'s form; <paramref name="source"/> names where it came from in messages.</summary>
    public static IndexMetadata FromJson(string json, string source)
    {
        try
        {
            var metadata = JsonSerializer.Deserialize<IndexMetadata>(json, JsonOptions)
                ?? throw new InvalidDataException($"{source} is empty.");
            if (metadata.Format != CurrentFormat)
                throw new InvalidDataException($"{source} has format {metadata.Format}; this build reads format {CurrentFormat}.");
            return metadata;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source} is not valid index metadata: {e.Message}", e);
        }
    }

    /// <summary>Reads the metadata of an index generation; <see cref="InvalidDataException"/> when it is missing or unreadable.</summary>
    public static IndexMetadata Load(string directory)
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) throw new InvalidDataException($"{path} is missing.");
        return FromJson(File.ReadAllText(path), path);
    }
}
