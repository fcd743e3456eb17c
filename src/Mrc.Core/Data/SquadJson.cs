using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Mrc.Core.Data;

/// <summary>
/// SQuAD v1.1 / KorQuAD 1.0 JSON: <c>{"version", "data": [{title, paragraphs: [{context, qas:
/// [{id, question, answers: [{text, answer_start}]}]}]}]}</c>.
/// </summary>
public static class SquadJson
{
    /// <summary>Writes JSON the way Python's json.dump(ensure_ascii=False) would read back: Korean stays readable.</summary>
    internal static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    public static SquadDataset Load(string path) => Parse(File.ReadAllBytes(path), path);

    public static SquadDataset Parse(ReadOnlyMemory<byte> utf8, string source)
    {
        using var document = JsonNodeReader.Parse(source, utf8);
        var root = new JsonNodeReader(source, document.RootElement, "$").Object();
        string version = root.Optional("version")?.String() ?? "";
        var articles = new List<Article>();
        foreach (var articleNode in root.Required("data").Items())
        {
            string title = articleNode.Optional("title")?.String() ?? "";
            var paragraphs = new List<Paragraph>();
            foreach (var paragraphNode in articleNode.Required("paragraphs").Items())
            {
                string context = paragraphNode.Required("context").String();
                var questions = new List<QuestionAnswers>();
                foreach (var qaNode in paragraphNode.Required("qas").Items())
                    questions.Add(new QuestionAnswers(
                        qaNode.Required("id").StringOrNumber(),
                        qaNode.Required("question").String(),
                        ReadAnswers(qaNode.Optional("answers"))));
                paragraphs.Add(new Paragraph(context, questions));
            }
            articles.Add(new Article(title, paragraphs));
        }
        return new SquadDataset(version, articles);
    }

    internal static IReadOnlyList<GoldAnswer> ReadAnswers(JsonNodeReader? answersNode)
    {
        if (answersNode is not { } node) return [];
        var answers = new List<GoldAnswer>();
        foreach (var answer in node.Items())
        {
            // JSONL files may list bare answer strings; SQuAD files use {text, answer_start}.
            if (answer.Element.ValueKind == JsonValueKind.String)
                answers.Add(new GoldAnswer(answer.String(), -1));
            else
                answers.Add(new GoldAnswer(
                    answer.Required("text").String(),
                    answer.Optional("answer_start")?.Int32() ?? -1));
        }
        return answers;
    }

    public static void Save(SquadDataset dataset, string path)
    {
        using var stream = File.Create(path);
        Write(dataset, stream);
    }

    public static void Write(SquadDataset dataset, Stream stream)
    {
        using var writer = new Utf8JsonWriter(stream, WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("version", dataset.Version);
        writer.WriteStartArray("data");
        foreach (var article in dataset.Articles)
        {
            writer.WriteStartObject();
            writer.WriteString("title", article.Title);
            writer.WriteStartArray("paragraphs");
            foreach (var paragraph in article.Paragraphs)
            {
                writer.WriteStartObject();
                writer.WriteString("context", paragraph.Context);
                writer.WriteStartArray("qas");
                foreach (var qa in paragraph.Questions)
                {
                    writer.WriteStartObject();
                    writer.WriteString("id", qa.Id);
                    writer.WriteString("question", qa.Question);
                    WriteAnswers(writer, qa.Answers);
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    internal static void WriteAnswers(Utf8JsonWriter writer, IReadOnlyList<GoldAnswer> answers)
    {
        writer.WritePropertyName("answers");
        GoldAnswersJson.WriteArray(writer, answers);
    }

    internal static string ToUtf8String(MemoryStream stream) => Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
}
