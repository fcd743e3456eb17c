using System.Text.Json;

namespace Mrc.Core.Data;

/// <summary>
/// Questions as JSON Lines, one per line: <c>{"id", "question", "answers", "context"?, "title"?}</c>,
/// where answers are <c>[{"text", "answer_start"}]</c> or plain strings.
/// </summary>
public static class QuestionJsonl
{
    public static IReadOnlyList<QuestionExample> Load(string path)
    {
        var examples = new List<QuestionExample>();
        foreach (var (line, utf8) in JsonLines.Read(path))
        {
            using var document = JsonNodeReader.Parse(path, utf8, line);
            var node = new JsonNodeReader(path, document.RootElement, "$", line).Object();
            examples.Add(new QuestionExample(
                node.Required("id").StringOrNumber(),
                node.Required("question").String(),
                SquadJson.ReadAnswers(node.Optional("answers")),
                node.Optional("context")?.String(),
                node.Optional("title")?.String()));
        }
        return examples;
    }

    public static void Save(IEnumerable<QuestionExample> examples, string path)
    {
        using var stream = File.Create(path);
        foreach (var example in examples)
        {
            using (var writer = new Utf8JsonWriter(stream, SquadJson.WriterOptions))
            {
                writer.WriteStartObject();
                writer.WriteString("id", example.Id);
                writer.WriteString("question", example.Question);
                SquadJson.WriteAnswers(writer, example.Answers);
                if (example.Context is not null) writer.WriteString("context", example.Context);
                if (example.Title is not null) writer.WriteString("title", example.Title);
                writer.WriteEndObject();
            }
            stream.WriteByte((byte)'\n');
        }
    }
}
