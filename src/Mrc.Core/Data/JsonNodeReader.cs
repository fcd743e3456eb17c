using System.Text.Json;

namespace Mrc.Core.Data;

/// <summary>
/// Reads required and optional members of a parsed JSON element, failing with a
/// <see cref="DataFormatException"/> that names the file, the JSON path and what was expected.
/// </summary>
internal readonly record struct JsonNodeReader(string File, JsonElement Element, string Path, long? Line = null)
{
    public static JsonDocument Parse(string file, ReadOnlyMemory<byte> utf8, long? line = null)
    {
        try
        {
            return JsonDocument.Parse(utf8, new JsonDocumentOptions { AllowTrailingCommas = false, MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            long? errorLine = line ?? (e.LineNumber + 1);
            long? column = e.BytePositionInLine + 1;
            throw new DataFormatException(file, errorLine, column, "invalid JSON: " + FirstSentence(e.Message), e);
        }
    }

    public DataFormatException Error(string problem) => new(File, Line, null, $"at {Path}: {problem}");

    public JsonNodeReader Object()
    {
        if (Element.ValueKind != JsonValueKind.Object) throw Error($"expected an object, found {Describe(Element)}");
        return this;
    }

    public JsonNodeReader Required(string name)
    {
        Object();
        if (!Element.TryGetProperty(name, out var child)) throw Error($"missing required member \"{name}\"");
        return this with { Element = child, Path = $"{Path}.{name}" };
    }

    public JsonNodeReader? Optional(string name)
    {
        Object();
        if (!Element.TryGetProperty(name, out var child) || child.ValueKind == JsonValueKind.Null) return null;
        return this with { Element = child, Path = $"{Path}.{name}" };
    }

    public string String()
    {
        if (Element.ValueKind != JsonValueKind.String) throw Error($"expected a string, found {Describe(Element)}");
        return Element.GetString()!;
    }

    /// <summary>A string, or a number written as its invariant text (ids are sometimes numbers).</summary>
    public string StringOrNumber() => Element.ValueKind == JsonValueKind.Number ? Element.GetRawText() : String();

    public int Int32()
    {
        if (Element.ValueKind != JsonValueKind.Number || !Element.TryGetInt32(out var value))
            throw Error($"expected an integer, found {Describe(Element)}");
        return value;
    }

    public IEnumerable<JsonNodeReader> Items()
    {
        if (Element.ValueKind != JsonValueKind.Array) throw Error($"expected an array, found {Describe(Element)}");
        int i = 0;
        foreach (var item in Element.EnumerateArray())
            yield return this with { Element = item, Path = $"{Path}[{i++}]" };
    }

    public IEnumerable<(string Name, JsonNodeReader Value)> Members()
    {
        Object();
        foreach (var property in Element.EnumerateObject())
            yield return (property.Name, this with { Element = property.Value, Path = $"{Path}[\"{property.Name}\"]" });
    }

    static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => $"the number {element.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    internal static string FirstSentence(string message)
    {
        int cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
