using Mrc.Leaderboard.Domain;
using Mrc.Leaderboard.Tests.Support;
using Microsoft.Extensions.Options;

namespace Mrc.Leaderboard.Tests;

/// <summary>The demo evaluation set and team of a local run: registered at the first start only.</summary>
public sealed class DemoSeedingTests
{
    static readonly Uri NoPipeline = new("http://127.0.0.1:9");

    [Fact]
    public async Task FirstStart_RegistersTheSetAndTeam_LaterStartsKeepThemAsTheyAre()
    {
        using var database = TestDatabase.Sqlite();
        var folder = Directory.CreateTempSubdirectory("leaderboard-demo-");
        try
        {
            var settings = Demo(TestSets.WriteKoreanJson(folder.FullName));
            await using (var first = await LeaderboardHost.StartAsync(database, NoPipeline, settings))
            {
                var set = Assert.Single(await first.Get<EvaluationSetService>().ListAsync());
                Assert.Equal(("데모-세트", TestSets.Korean.QuestionCount), (set.Name, set.QuestionCount));
                var caller = await first.Get<TeamService>().AuthenticateAsync("demo-team-token-123");
                Assert.Equal(("데모팀", false), (caller.Name, caller.IsAdmin));
                await first.Get<EvaluationSetService>().SetPrivateRevealedAsync(set.Id, true);
            }

            await using var second = await LeaderboardHost.StartAsync(database, NoPipeline, settings);
            var again = Assert.Single(await second.Get<EvaluationSetService>().ListAsync());
            Assert.True(again.PrivateRevealed); // the same row, not a new registration
            Assert.Single(await second.Get<TeamService>().ListAsync());
        }
        finally
        {
            folder.Delete(true);
        }
    }

    [Fact]
    public async Task AMissingSetFile_StopsTheStart_AndStoresNothing()
    {
        using var database = TestDatabase.Sqlite();
        var missing = Path.Combine(Path.GetTempPath(), "no-such-demo-set.json");

        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => LeaderboardHost.StartAsync(database, NoPipeline, Demo(missing)));
        Assert.Contains("Demo:EvaluationSetPath", error.Message, StringComparison.Ordinal);

        await using var host = await LeaderboardHost.StartAsync(database, NoPipeline);
        Assert.Empty(await host.Get<EvaluationSetService>().ListAsync());
    }

    [Fact]
    public async Task ATeamWithoutToken_FailsValidationWithTheKeyNamed()
    {
        using var database = TestDatabase.Sqlite();
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => LeaderboardHost.StartAsync(database, NoPipeline,
            new Dictionary<string, string?> { ["Demo:TeamName"] = "데모팀" }));
        Assert.Contains("Demo:TeamToken", error.Message, StringComparison.Ordinal);
    }

    static Dictionary<string, string?> Demo(string setPath) => new()
    {
        ["Demo:EvaluationSetName"] = "데모-세트",
        ["Demo:EvaluationSetPath"] = setPath,
        ["Demo:TeamName"] = "데모팀",
        ["Demo:TeamToken"] = "demo-team-token-123",
    };
}
