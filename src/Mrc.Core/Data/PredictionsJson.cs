using System.Text.Json;

namespace Mrc.Core.Data;

/// <summary>A predictions file as the official evaluation script reads it: <c>{"question id": "answer text"}</c>.</summary>
public static class PredictionsJson
{
    public static IReadOnlyDictionary<string, string> Load(string path) => Parse(File.ReadAllBytes(path), path);

    public static IReadOnlyDictionary<string, string> Parse(ReadOnlyMemory<byte> utf8, string source)
    {
        using var document = JsonNodeReader.Parse(source, utf8);
        var root = new JsonNodeReader(source, document.RootElement, "$").Object();
        var predictions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (id, value) in root.Members())
            predictions[id] = value.String(); // a repeated key keeps the last value, as Python's json does
        return predictions;
    }

    public static void Save(IEnumerable<KeyValuePair<string, string>> predictions, string path)
    {
        using var stream = File.Create(path);
        using var writer = new Utf8JsonWriter(stream, SquadJson.WriterOptions with { Indented = true });
        writer.WriteStartObject();
        foreach (var (id, answer) in predictions) writer.WriteString(id, answer);
        writer.WriteEndObject();
    }
}
