using System.Text.Json.Serialization;
using Mrc.Retrieval.Indexing;
using F = Mrc.Retrieval.Elasticsearch.ElasticsearchIndexBody.Fields;

namespace Mrc.Retrieval.Elasticsearch;

/// <summary>A passage as an Elasticsearch document's <c>_source</c>, with the field names of <see cref="ElasticsearchIndexBody"/>'s mapping.</summary>
public sealed record ElasticsearchPassage(
    [property: JsonPropertyName(F.Id)] string Id,
    [property: JsonPropertyName(F.DocumentId)] string DocumentId,
    [property: JsonPropertyName(F.DocumentSha256)] string DocumentSha256,
    [property: JsonPropertyName(F.Title)] string Title,
    [property: JsonPropertyName(F.Text)] string Text,
    [property: JsonPropertyName(F.Start)] int StartChar,
    [property: JsonPropertyName(F.End)] int EndChar)
{
    public static ElasticsearchPassage From(IndexedPassage passage)
    {
        ArgumentNullException.ThrowIfNull(passage);
        return new(passage.Id, passage.DocumentId, passage.DocumentSha256, passage.Title, passage.Text, passage.StartChar, passage.EndChar);
    }

    public IndexedPassage ToIndexed() => new(Id, DocumentId, DocumentSha256, Title, Text, StartChar, EndChar);
}
