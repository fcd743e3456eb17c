using Microsoft.EntityFrameworkCore;
using Mrc.Leaderboard.Data;

namespace Mrc.Leaderboard.Domain;

/// <summary>A team's final submissions of one set, as the team sees them.</summary>
/// <param name="Chosen">Whether the team marked them itself (false: its best public ones stand in).</param>
/// <param name="Candidates">The team's succeeded submissions of the set, newest first: what it may choose from.</param>
public sealed record FinalChoiceView(
    string EvaluationSet, int Limit, DateTime? ClosesAt, bool Open, bool Chosen,
    IReadOnlyList<long> FinalIds, IReadOnlyList<SubmissionView> Candidates);

/// <summary>Teams choosing which of their submissions count for the private ranking (<see cref="FinalSelection"/>).</summary>
public sealed class FinalSubmissionService(IDbContextFactory<LeaderboardDbContext> dbFactory, TimeProvider clock)
{
    /// <summary>The caller's final submissions of a set and what it may choose from.</summary>
    public async Task<FinalChoiceView> GetAsync(Caller caller, string setName, CancellationToken cancellationToken = default)
    {
        long teamId = RequireTeam(caller);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var set = await FindSetAsync(db, setName, cancellationToken);
        return await ViewAsync(db, caller, teamId, set, cancellationToken);
    }

    /// <summary>
    /// Replaces the caller's final submissions of a set with <paramref name="submissionIds"/> (empty:
    /// back to the best public ones). All of them or none are marked.
    /// </summary>
    public async Task<FinalChoiceView> SetAsync(
        Caller caller, string setName, IReadOnlyCollection<long> submissionIds, CancellationToken cancellationToken = default)
    {
        long teamId = RequireTeam(caller);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var set = await FindSetAsync(db, setName, cancellationToken);
        Phases.EnsureBeforeDeadline(set, clock.GetUtcNow().UtcDateTime);
        var ids = submissionIds.ToList();
        if (ids.Distinct().Count() != ids.Count)
            throw new LeaderboardException(LeaderboardError.InvalidArgument, "A submission is listed more than once.", "같은 제출이 두 번 이상 들어 있습니다.");
        if (ids.Count > set.FinalSubmissionLimit)
            throw new LeaderboardException(LeaderboardError.InvalidArgument,
                $"At most {set.FinalSubmissionLimit} submissions of \"{set.Name}\" can be final; {ids.Count} were given.",
                $"\"{set.Name}\"의 최종 제출은 {set.FinalSubmissionLimit}개까지 고를 수 있습니다 ({ids.Count}개 선택).");

        var chosen = await db.Submissions.AsNoTracking().Where(s => ids.Contains(s.Id)).ToListAsync(cancellationToken);
        foreach (long id in ids)
        {
            var submission = chosen.FirstOrDefault(s => s.Id == id)
                ?? throw new LeaderboardException(LeaderboardError.NotFound, $"Submission {id} does not exist.", $"제출 #{id}이 없습니다.");
            if (submission.TeamId != teamId)
                throw new LeaderboardException(LeaderboardError.PermissionDenied, $"Submission {id} belongs to another team.", $"제출 #{id}은 다른 팀의 제출입니다.");
            if (submission.EvaluationSetId != set.Id)
                throw new LeaderboardException(LeaderboardError.InvalidArgument,
                    $"Submission {id} was made for another evaluation set than \"{set.Name}\".", $"제출 #{id}은 \"{set.Name}\"의 제출이 아닙니다.");
            if (submission.Status != SubmissionStatus.Succeeded)
                throw new LeaderboardException(LeaderboardError.FailedPrecondition,
                    $"Submission {id} is {submission.Status.ToString().ToLowerInvariant()}; only succeeded submissions can be final.",
                    $"제출 #{id}은 완료되지 않아 최종 제출로 고를 수 없습니다.");
        }

        // Clearing the old marks and setting the new ones is one transaction: a team never has both.
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            await db.Submissions.Where(s => s.TeamId == teamId && s.EvaluationSetId == set.Id && s.MarkedFinal)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.MarkedFinal, false), cancellationToken);
            if (ids.Count > 0)
                await db.Submissions.Where(s => ids.Contains(s.Id))
                    .ExecuteUpdateAsync(s => s.SetProperty(x => x.MarkedFinal, true), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        return await ViewAsync(db, caller, teamId, set, cancellationToken);
    }

    async Task<FinalChoiceView> ViewAsync(LeaderboardDbContext db, Caller caller, long teamId, EvaluationSet set, CancellationToken cancellationToken)
    {
        var mine = await db.Submissions.AsNoTracking().Include(s => s.Team)
            .Where(s => s.TeamId == teamId && s.EvaluationSetId == set.Id && s.Status == SubmissionStatus.Succeeded)
            .OrderByDescending(s => s.Id).ToListAsync(cancellationToken);
        var finals = FinalSelection.FinalsOf(mine, set.FinalSubmissionLimit);
        bool open = set.ClosesAt is not { } closes || clock.GetUtcNow().UtcDateTime < closes;
        foreach (var s in mine) s.EvaluationSet = set;
        var publicHits = await SubmissionService.PublicRetrievalHitsAsync(db, mine, caller, cancellationToken);
        var candidates = mine.Select(s => SubmissionView.From(s, s.Team!.Name, set, caller, publicHits.GetValueOrDefault(s.Id))).ToList();
        return new FinalChoiceView(set.Name, set.FinalSubmissionLimit, set.ClosesAt, open, mine.Any(s => s.MarkedFinal),
            [.. finals.Select(s => s.Id)], candidates);
    }

    static long RequireTeam(Caller caller) => caller.TeamId
        ?? throw new LeaderboardException(LeaderboardError.PermissionDenied,
            "Only teams choose final submissions; sign in with a team token.", "최종 제출은 팀만 고를 수 있습니다.");

    static async Task<EvaluationSet> FindSetAsync(LeaderboardDbContext db, string setName, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(setName))
            throw new LeaderboardException(LeaderboardError.InvalidArgument, "Name the evaluation set.", "평가 세트를 고르세요.");
        return await db.EvaluationSets.AsNoTracking().FirstOrDefaultAsync(s => s.Name == setName, cancellationToken)
            ?? throw new LeaderboardException(LeaderboardError.NotFound,
                $"Evaluation set \"{setName}\" does not exist.", $"평가 세트 \"{setName}\"가 없습니다.");
    }
}
