using System.Text;
using Mrc.Leaderboard.Auth;
using Mrc.Leaderboard.Domain;

namespace Mrc.Leaderboard.Api;

/// <summary>
/// The browser's CSV download of a leaderboard: what the signed-in viewer (or an anonymous one) sees
/// on the page, as <see cref="LeaderboardCsv"/> writes it. The admin API's ExportLeaderboard is the
/// scripted form.
/// </summary>
public static class CsvExportEndpoint
{
    public const string Route = "/leaderboard-csv/{set}";

    public static string PathOf(string setName) => "/leaderboard-csv/" + Uri.EscapeDataString(setName);

    public static IEndpointRouteBuilder MapLeaderboardCsv(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(Route, async (string set, HttpContext context, SubmissionService submissions) =>
        {
            var viewer = context.User.ToCaller();
            try
            {
                var board = await submissions.GetLeaderboardAsync(viewer, set, context.RequestAborted);
                bool showPrivate = viewer?.CanSeePrivate(board.Set.PrivateRevealed) ?? board.Set.PrivateRevealed;
                var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(LeaderboardCsv.Write(board, showPrivate))).ToArray();
                return Results.File(bytes, "text/csv; charset=utf-8", LeaderboardCsv.FileName(set));
            }
            catch (LeaderboardException e) when (e.Error == LeaderboardError.NotFound)
            {
                return Results.NotFound(e.Korean);
            }
        });
        return endpoints;
    }
}
