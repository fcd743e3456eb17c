using System.Globalization;
using Mrc.Core.Runs;

namespace Mrc.Leaderboard.Experiments;

/// <summary>The Korean words and number formats the experiments pages share.</summary>
internal static class RunLabels
{
    public static string Kind(string kind) => kind switch
    {
        RunKinds.Reader => "리더 학습",
        RunKinds.Mlm => "MLM 사전학습",
        RunKinds.SweepTrial => "스윕 시도",
        _ => kind,
    };

    public static string Status(string status) => status switch
    {
        RunStatuses.Running => "실행 중",
        RunStatuses.Finished => "완료",
        RunStatuses.Failed => "실패",
        RunStatuses.Interrupted => "중단됨",
        _ => status,
    };

    public static string Score(double? value) => value is { } v ? v.ToString("F2", CultureInfo.InvariantCulture) : "–";

    public static string Loss(double? value) => value is { } v ? v.ToString("F4", CultureInfo.InvariantCulture) : "–";

    public static string Time(DateTimeOffset? time) => time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC" : "–";

    public static string Duration(RunRecord run)
    {
        var span = (run.EndedUtc ?? run.HeartbeatUtc) - run.StartedUtc;
        return span.TotalHours >= 1 ? $"{(int)span.TotalHours}시간 {span.Minutes}분" : $"{span.TotalMinutes:F1}분";
    }
}
