using Microsoft.EntityFrameworkCore;
using Mrc.Leaderboard.Data;

namespace Mrc.Leaderboard.Domain;

/// <summary>
/// Baseline rows: succeeded submissions the admin pins to the leaderboard as reference points. A
/// pinned submission is listed apart and unranked, and no longer counts for its team.
/// </summary>
public sealed class BaselineService(IDbContextFactory<LeaderboardDbContext> dbFactory)
{
    public async Task PinAsync(long submissionId, bool pinned, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var status = await db.Submissions.Where(s => s.Id == submissionId).Select(s => (SubmissionStatus?)s.Status).FirstOrDefaultAsync(cancellationToken)
            ?? throw new LeaderboardException(LeaderboardError.NotFound, $"Submission {submissionId} does not exist.", $"제출 #{submissionId}이 없습니다.");
        if (pinned && status != SubmissionStatus.Succeeded)
            throw new LeaderboardException(LeaderboardError.FailedPrecondition,
                $"Submission {submissionId} is {status.ToString().ToLowerInvariant()}; only succeeded submissions can be baselines.",
                $"제출 #{submissionId}은 완료되지 않아 기준선으로 고정할 수 없습니다.");
        await db.Submissions.Where(s => s.Id == submissionId)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.IsBaseline, pinned), cancellationToken);
    }
}
