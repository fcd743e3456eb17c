using System.Globalization;
using Mrc.Leaderboard.Data;

namespace Mrc.Leaderboard.Domain;

/// <summary>
/// A set's phases: it takes submissions from its opening time (if any) until its closing time (if
/// any), and final choices until the close; at the close its private split is revealed
/// (<see cref="PhaseRevealService"/>). Times are UTC.
/// </summary>
public static class Phases
{
    /// <summary>Refuses a submission outside the set's open phase with FailedPrecondition.</summary>
    public static void EnsureOpen(EvaluationSet set, DateTime now)
    {
        if (set.OpensAt is { } opens && now < opens)
            throw new LeaderboardException(LeaderboardError.FailedPrecondition,
                $"Evaluation set \"{set.Name}\" opens for submissions at {Utc(opens)}.",
                $"평가 세트 \"{set.Name}\"는 {Utc(opens)}부터 제출을 받습니다.");
        if (set.ClosesAt is { } closes && now >= closes)
            throw new LeaderboardException(LeaderboardError.FailedPrecondition,
                $"Evaluation set \"{set.Name}\" closed for submissions at {Utc(closes)}.",
                $"평가 세트 \"{set.Name}\"는 {Utc(closes)}에 제출이 마감되었습니다.");
    }

    /// <summary>Refuses a change of final submissions from the set's close on.</summary>
    public static void EnsureBeforeDeadline(EvaluationSet set, DateTime now)
    {
        if (set.ClosesAt is { } closes && now >= closes)
            throw new LeaderboardException(LeaderboardError.FailedPrecondition,
                $"Evaluation set \"{set.Name}\" closed at {Utc(closes)}; final submissions can no longer change.",
                $"평가 세트 \"{set.Name}\"는 {Utc(closes)}에 마감되어 최종 제출을 바꿀 수 없습니다.");
    }

    /// <summary>Checks a pair of phase times: the opening must come before the close.</summary>
    public static void Validate(DateTime? opensAt, DateTime? closesAt)
    {
        if (opensAt is { } opens && closesAt is { } closes && opens >= closes)
            throw new LeaderboardException(LeaderboardError.InvalidArgument,
                $"The opening time ({Utc(opens)}) must come before the closing time ({Utc(closes)}).",
                $"시작 시각({Utc(opens)})은 마감 시각({Utc(closes)})보다 앞서야 합니다.");
    }

    static string Utc(DateTime time) => time.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";
}
