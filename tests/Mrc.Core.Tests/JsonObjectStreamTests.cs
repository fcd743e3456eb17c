using System.Text;
using System.Text.Json;
using Mrc.Core.Data;

namespace Mrc.Core.Tests;

/// <summary>
/// Reading a top-level JSON object member by member through a small buffer, checked against
/// System.Text.Json parsing the whole document.
/// </summary>
public class JsonObjectStreamTests : IDisposable
{
    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    readonly string directory = Directory.CreateTempSubdirectory("mrc-core-stream-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    string Write(string name, string content)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, content, new UTF8Encoding(false));
        return path;
    }

    [Theory]
    [InlineData(8)]
    [InlineData(64)]
    [InlineData(65536)]
    public void Next_ThroughAnyBufferSize_GivesTheMembersWholeParsingGives(int bufferSize)
    {
        var documents = Enumerable.Range(0, 40).ToDictionary(
            i => i.ToString(System.Globalization.CultureInfo.InvariantCulture),
            i => new { text = string.Concat(Enumerable.Repeat($"문단 {i}은 \"따옴표\"와 \\역슬래시\\를 담는다. ", i % 7 + 1)), title = $"제목 {i}", document_id = 1000 + i });
        var path = Write("wikipedia_documents.json", JsonSerializer.Serialize(documents, Indented));

        var streamed = new List<(string, string)>();
        using (var members = new JsonObjectStream(path, bufferSize))
            while (members.Next(out var name, out var value, out var kind))
                using (value)
                {
                    Assert.Equal(JsonValueKind.Object, kind);
                    streamed.Add((name, value!.RootElement.GetRawText()));
                }

        using var whole = JsonDocument.Parse(File.ReadAllBytes(path));
        Assert.Equal(whole.RootElement.EnumerateObject().Select(p => (p.Name, p.Value.GetRawText())), streamed);
    }

    [Fact]
    public void CorpusReader_WikipediaForm_IsStreamedAndReadAsBefore()
    {
        var path = Write("wikipedia_documents.json",
            "{\"0\": {\"text\": \"본문 하나\", \"title\": \"제목1\", \"document_id\": 0}, \"7\": {\"text\": \"본문 둘\"}}");

        Assert.False(CorpusReader.IsSquad(path));
        Assert.Equal([new CorpusDocument("0", "제목1", "본문 하나"), new CorpusDocument("7", "", "본문 둘")], CorpusReader.Read(path));
        Assert.True(CorpusReader.IsSquad(Mrc.Tests.TestData.KorQuadPartA));
    }

    [Theory]
    [InlineData(8)]
    [InlineData(65536)]
    public void Next_MalformedMember_FailsWithTheLineAndColumnWholeParsingReports(int bufferSize)
    {
        string content = "{\n  \"0\": {\"text\": \"가\"},\n  \"1\": {\"text\": \"나\"},\n  \"2\": {\"text\": \"다\",, \"title\": \"x\"}\n}\n";
        var path = Write("bad.json", content);
        var expected = Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(content));

        using var members = new JsonObjectStream(path, bufferSize);
        Assert.True(members.Next(out _, out var first, out _));
        first!.Dispose();
        Assert.True(members.Next(out _, out var second, out _));
        second!.Dispose();
        var error = Assert.Throws<DataFormatException>(() => members.Next(out _, out _, out _));

        Assert.Equal(4, error.Line);
        Assert.Equal((expected.LineNumber + 1, expected.BytePositionInLine + 1), (error.Line, error.Column));
        Assert.StartsWith(path + ":4:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Next_TruncatedFile_IsAnError()
    {
        var path = Write("cut.json", "{\"0\": {\"text\": \"가\"}, \"1\": {\"text\": \"나");

        using var members = new JsonObjectStream(path, 8);
        Assert.True(members.Next(out _, out var first, out _));
        first!.Dispose();
        Assert.Throws<DataFormatException>(() => members.Next(out _, out _, out _));
    }

    [Fact]
    public void Next_ATopLevelArray_SaysAnObjectWasExpected()
    {
        var path = Write("array.json", "[{\"text\": \"가\"}]");

        using var members = new JsonObjectStream(path);
        var error = Assert.Throws<DataFormatException>(() => members.Next(out _, out _, out _));

        Assert.Contains("expected a JSON object at the top level", error.Message, StringComparison.Ordinal);
    }
}
