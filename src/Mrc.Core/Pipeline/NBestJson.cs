using System.Text.Json;
using Mrc.Core.Data;

namespace Mrc.Core.Pipeline;

/// <summary>
/// The one n-best format, written by `mrc predict` (NAME.nbest.json: <c>{"question id": [answers]}</c>)
/// and stored per question by the leaderboard: each answer as
/// <c>{"text", "probability", "score", "passage_id", "start_char", "end_char"}</c>, best first, offsets
/// in Unicode code points of the passage's text (as Hugging Face's nbest_predictions.json has text and
/// probability first).
/// </summary>
public static class NBestJson
{
    /// <summary>One question's list as a JSON array.</summary>
    public static string Serialize(IReadOnlyList<NBestAnswer> answers)
    {
        ArgumentNullException.ThrowIfNull(answers);
        return JsonText.Write(writer => WriteList(writer, answers));
    }

    /// <summary>Every question's list in one file, in the order given.</summary>
    public static void Save(IEnumerable<KeyValuePair<string, IReadOnlyList<NBestAnswer>>> questions, string path)
    {
        ArgumentNullException.ThrowIfNull(questions);
        using var stream = File.Create(path);
        using var writer = new Utf8JsonWriter(stream, SquadJson.WriterOptions with { Indented = true });
        writer.WriteStartObject();
        foreach (var (id, answers) in questions)
        {
            writer.WritePropertyName(id);
            WriteList(writer, answers);
        }
        writer.WriteEndObject();
    }

    /// <summary>Reads one question's list (as <see cref="Serialize"/> writes it).</summary>
    public static IReadOnlyList<NBestAnswer> Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.EnumerateArray().Select(a => new NBestAnswer(
            a.GetProperty("text").GetString() ?? "",
            a.GetProperty("probability").GetDouble(),
            a.GetProperty("score").GetSingle(),
            a.GetProperty("passage_id").GetString() ?? "",
            a.GetProperty("start_char").GetInt32(),
            a.GetProperty("end_char").GetInt32()))];
    }

    static void WriteList(Utf8JsonWriter writer, IReadOnlyList<NBestAnswer> answers)
    {
        writer.WriteStartArray();
        foreach (var answer in answers)
        {
            writer.WriteStartObject();
            writer.WriteString("text", answer.Text);
            writer.WriteNumber("probability", answer.Probability);
            writer.WriteNumber("score", answer.Score);
            writer.WriteString("passage_id", answer.PassageId);
            writer.WriteNumber("start_char", answer.StartChar);
            writer.WriteNumber("end_char", answer.EndChar);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }
}
