using System.Globalization;
using System.Text;

namespace Mrc.Leaderboard.Domain;

/// <summary>
/// A leaderboard as CSV (RFC 4180, UTF-8): what the viewer sees, ranked rows then baselines (rank
/// empty). Scores in percent with four decimals, recall as a share, times ISO 8601 UTC. A cell a
/// spreadsheet would take for a formula (=, +, -, @ first) is prefixed with an apostrophe.
/// </summary>
public static class LeaderboardCsv
{
    public static string Write(LeaderboardView board, bool showPrivate)
    {
        ArgumentNullException.ThrowIfNull(board);
        var csv = new StringBuilder();
        var header = new List<string> { "rank", "baseline", "team", "model", "version", "submission_id", "public_em", "public_f1" };
        if (showPrivate) header.AddRange(["private_em", "private_f1"]);
        header.AddRange(["retrieval_recall", "submission_count", "submitted_at", "description"]);
        Line(csv, header);
        foreach (var row in board.Rows.Concat(board.Baselines))
        {
            var best = row.Best;
            var cells = new List<string>
            {
                row.Rank > 0 ? Number(row.Rank) : "", best.IsBaseline ? "true" : "false", row.Team, row.Model, row.Version, Number(best.Id),
                Score(best.Public?.ExactMatch), Score(best.Public?.F1),
            };
            if (showPrivate) cells.AddRange([Score(best.Private?.ExactMatch), Score(best.Private?.F1)]);
            cells.AddRange([
                best.RetrievalRecall is { } recall ? recall.ToString("F4", CultureInfo.InvariantCulture) : "",
                Number(row.SubmissionCount),
                best.SubmittedAt.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                best.Description,
            ]);
            Line(csv, cells);
        }
        return csv.ToString();
    }

    /// <summary>The file name a download is offered under.</summary>
    public static string FileName(string setName) =>
        string.Concat(setName.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '_')) + "-leaderboard.csv";

    static string Score(double? value) => value is { } v ? v.ToString("F4", CultureInfo.InvariantCulture) : "";

    static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    static void Line(StringBuilder csv, IEnumerable<string> cells)
    {
        csv.AppendJoin(',', cells.Select(Cell));
        csv.Append("\r\n");
    }

    static string Cell(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' && !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            value = "'" + value;
        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
