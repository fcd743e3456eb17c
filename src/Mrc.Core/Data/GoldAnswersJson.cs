using System.Text.Json;

namespace Mrc.Core.Data;

/// <summary>
/// Gold answers stored as one JSON value (the leaderboard keeps a question's answers in one column):
/// <c>[{"text": "…", "answer_start": 12}]</c> as in SQuAD files, answer_start omitted when unknown.
/// Plain strings (<c>["…"]</c>, the older form) are read as answers without a position.
/// </summary>
public static class GoldAnswersJson
{
    public static string Serialize(IEnumerable<GoldAnswer> answers)
    {
        ArgumentNullException.ThrowIfNull(answers);
        return JsonText.Write(writer => WriteArray(writer, answers));
    }

    /// <summary>The answers as SQuAD files hold them: <c>[{"text", "answer_start"}]</c>.</summary>
    internal static void WriteArray(Utf8JsonWriter writer, IEnumerable<GoldAnswer> answers)
    {
        writer.WriteStartArray();
        foreach (var answer in answers)
        {
            writer.WriteStartObject();
            writer.WriteString("text", answer.Text);
            if (answer.AnswerStart >= 0) writer.WriteNumber("answer_start", answer.AnswerStart);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    public static IReadOnlyList<GoldAnswer> Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.EnumerateArray().Select(a => a.ValueKind == JsonValueKind.String
            ? new GoldAnswer(a.GetString() ?? "", -1)
            : new GoldAnswer(
                a.GetProperty("text").GetString() ?? "",
                a.TryGetProperty("answer_start", out var start) ? start.GetInt32() : -1))];
    }
}
