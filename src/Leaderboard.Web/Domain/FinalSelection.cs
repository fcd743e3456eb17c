using Mrc.Leaderboard.Data;

namespace Mrc.Leaderboard.Domain;

/// <summary>
/// Which of a team's submissions count for the private ranking, and how teams are ranked on them.
/// A team marks up to the set's limit of succeeded submissions as final; without a mark, its best
/// public ones (public EM, then F1, then the earlier) stand in, up to the same limit. The private
/// ranking orders teams by the best private score (EM, then F1) among their finals only, so
/// submitting often does not buy a better private rank.
/// </summary>
public static class FinalSelection
{
    /// <summary>The final submissions of one team: its marked ones, or else its best public ones.</summary>
    public static IReadOnlyList<SubmissionRecord> FinalsOf(IEnumerable<SubmissionRecord> teamSubmissions, int limit)
    {
        var succeeded = teamSubmissions.Where(s => s.Status == SubmissionStatus.Succeeded && !s.IsBaseline).ToList();
        var marked = succeeded.Where(s => s.MarkedFinal).OrderBy(s => s.Id).ToList();
        if (marked.Count > 0) return marked;
        return succeeded.OrderByDescending(s => s.PublicExactMatch ?? 0).ThenByDescending(s => s.PublicF1 ?? 0)
            .ThenBy(s => s.SubmittedAt).ThenBy(s => s.Id).Take(limit).ToList();
    }

    /// <summary>
    /// One line per team: its best final submission by private EM, then F1 (then the earlier one),
    /// teams in rank order; ties keep the team whose submission came first ahead.
    /// </summary>
    public static IReadOnlyList<(SubmissionRecord Best, IReadOnlyList<SubmissionRecord> Finals)> PrivateRanking(
        IEnumerable<SubmissionRecord> submissions, int limit) =>
        submissions.Where(s => !s.IsBaseline).GroupBy(s => s.TeamId)
            .Select(team => FinalsOf(team, limit))
            .Where(finals => finals.Count > 0)
            .Select(finals => (Best: finals.OrderByDescending(PrivateKey).ThenBy(s => s.SubmittedAt).ThenBy(s => s.Id).First(), Finals: finals))
            .OrderByDescending(line => PrivateKey(line.Best)).ThenBy(line => line.Best.SubmittedAt).ThenBy(line => line.Best.Id)
            .ToList();

    // A set without private questions has no private scores: its public ones decide.
    static (double, double) PrivateKey(SubmissionRecord s) => (s.PrivateExactMatch ?? s.PublicExactMatch ?? 0, s.PrivateF1 ?? s.PublicF1 ?? 0);
}
