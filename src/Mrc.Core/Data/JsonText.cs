using System.Text;
using System.Text.Json;

namespace Mrc.Core.Data;

/// <summary>Writes one JSON value to a string, with the writer settings every file of the project uses (Korean unescaped).</summary>
internal static class JsonText
{
    public static string Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, SquadJson.WriterOptions))
        {
            write(writer);
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
