using Microsoft.EntityFrameworkCore;
using Mrc.Leaderboard.Data;
using Mrc.Leaderboard.Domain;
using Mrc.Leaderboard.Tests.Support;

namespace Mrc.Leaderboard.Tests;

/// <summary>
/// The competition's writes on a real PostgreSQL server (the other tests use SQLite): the Competitions
/// migration, replacing final choices in one transaction, the reveal at the close with its audit line,
/// and deleting a set with submissions only when asked to cascade.
/// </summary>
public sealed class CompetitionPostgresTests
{
    [PostgresFact]
    public async Task FinalsRevealAndCascade_OnPostgres()
    {
        await using var postgres = await PostgresServer.StartAsync();
        using var database = TestDatabase.Postgres(postgres.ConnectionString("leaderboard"));
        await using var pipeline = await FakePipeline.StartAsync();
        await using var host = await LeaderboardHost.StartAsync(database, pipeline.Address, new Dictionary<string, string?>
        {
            ["Leaderboard:PhaseCheckSeconds"] = "3600", // the test calls the check itself
        });
        var sets = host.Get<EvaluationSetService>();
        var set = await sets.RegisterAsync("korean-dev", "korean-dev.json", new MemoryStream(TestSets.KoreanJson()), privateShare: 0);
        var (info, _) = await host.Get<TeamService>().CreateAsync("알파");
        var team = Caller.ForTeam(info.Id, info.Name);
        var examples = TestSets.Korean.Examples().ToList();
        async Task<long> SubmitAsync(int right) => (await host.Get<SubmissionService>().SubmitPredictionsAsync(team, "korean-dev",
            new MemoryStream(TestSets.PredictionsJson(examples.Select((e, i) => KeyValuePair.Create(e.Id, i < right ? e.Answers[0].Text : "오답")))),
            "predictions", null)).Id;
        long six = await SubmitAsync(6), three = await SubmitAsync(3), nine = await SubmitAsync(9);

        var finals = host.Get<FinalSubmissionService>();
        Assert.Equal(new[] { six, nine }.Order(), (await finals.GetAsync(team, "korean-dev")).FinalIds.Order());
        await finals.SetAsync(team, "korean-dev", [three]);
        await finals.SetAsync(team, "korean-dev", [six, three]);
        await Assert.ThrowsAsync<LeaderboardException>(() => finals.SetAsync(team, "korean-dev", [six, three, nine]));
        Assert.Equal(new[] { three, six }.Order(), (await finals.GetAsync(team, "korean-dev")).FinalIds.Order());

        // The close passes: the check reveals the set once, with its audit line. The private board (the set
        // has no private questions, so public scores decide) ranks the team on its best final, not on #nine.
        await sets.ScheduleAsync(set.Id, new SetSchedule(null, DateTime.UtcNow.AddSeconds(-1)));
        Assert.Equal(["korean-dev"], await sets.RevealClosedSetsAsync());
        Assert.Empty(await sets.RevealClosedSetsAsync());
        var entry = Assert.Single(await host.Get<AuditLog>().ListAsync(1));
        Assert.Equal(("system (close)", "set.reveal"), (entry.Actor, entry.Action));
        var board = await host.Get<SubmissionService>().GetLeaderboardAsync(null, "korean-dev");
        Assert.True(board.RankedByPrivate);
        Assert.Equal(six, Assert.Single(board.Rows).Best.Id);

        var refused = await Assert.ThrowsAsync<LeaderboardException>(() => sets.DeleteAsync(set.Id, withSubmissions: false));
        Assert.Equal(LeaderboardError.FailedPrecondition, refused.Error);
        await sets.DeleteAsync(set.Id, withSubmissions: true);
        await using var db = await host.Get<IDbContextFactory<LeaderboardDbContext>>().CreateDbContextAsync();
        Assert.Equal((0, 0, 0), (await db.EvaluationSets.CountAsync(), await db.Submissions.CountAsync(), await db.Predictions.CountAsync()));
    }
}
