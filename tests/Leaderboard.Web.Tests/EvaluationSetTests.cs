using System.Text;
using Mrc.Leaderboard.Data;
using Mrc.Leaderboard.Domain;
using Mrc.Leaderboard.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Mrc.Leaderboard.Tests;

/// <summary>Registering evaluation sets: validation messages, formats, limits, and nothing half-stored.</summary>
public sealed class EvaluationSetTests : IAsyncLifetime
{
    TestDatabase database = default!;
    FakePipeline pipeline = default!;
    LeaderboardHost host = default!;

    public async Task InitializeAsync()
    {
        database = TestDatabase.Sqlite();
        pipeline = await FakePipeline.StartAsync();
        host = await LeaderboardHost.StartAsync(database, pipeline.Address, new Dictionary<string, string?>
        {
            ["Leaderboard:MaxUploadBytes"] = "4000",
        });
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        await pipeline.DisposeAsync();
        database.Dispose();
    }

    Task<EvaluationSetInfo> Register(string name, string fileName, string content) =>
        host.Get<EvaluationSetService>().RegisterAsync(name, fileName, new MemoryStream(Encoding.UTF8.GetBytes(content)));

    async Task<(int Sets, int Questions)> StoredAsync()
    {
        await using var db = await host.Get<IDbContextFactory<LeaderboardDbContext>>().CreateDbContextAsync();
        return (await db.EvaluationSets.CountAsync(), await db.Questions.CountAsync());
    }

    static string Squad(string qas) =>
        "{\"version\":\"KorQuAD_v1.0\",\"data\":[{\"title\":\"서울\",\"paragraphs\":[{\"context\":\"서울은 대한민국의 수도이다.\",\"qas\":[" + qas + "]}]}]}";

    [Fact]
    public async Task DuplicateIds_AreRefusedByIdAndNothingIsStored()
    {
        var content = Squad(
            "{\"id\":\"q1\",\"question\":\"수도는?\",\"answers\":[{\"text\":\"서울\",\"answer_start\":0}]}," +
            "{\"id\":\"q2\",\"question\":\"어느 나라?\",\"answers\":[{\"text\":\"대한민국\",\"answer_start\":4}]}," +
            "{\"id\":\"q1\",\"question\":\"다시 수도는?\",\"answers\":[{\"text\":\"서울\",\"answer_start\":0}]}");

        var error = await Assert.ThrowsAsync<LeaderboardException>(() => Register("dup", "dup.json", content));

        Assert.Equal(LeaderboardError.InvalidArgument, error.Error);
        Assert.Equal("dup.json: 1 question id(s) occur more than once: \"q1\".", error.Message);
        Assert.Equal("dup.json: 질문 id 1개가 두 번 이상 나옵니다: \"q1\".", error.Korean);
        Assert.Equal((0, 0), await StoredAsync());
    }

    [Fact]
    public async Task QuestionsWithoutAnswers_AreRefusedById()
    {
        var content = Squad(
            "{\"id\":\"q1\",\"question\":\"수도는?\",\"answers\":[{\"text\":\"서울\",\"answer_start\":0}]}," +
            "{\"id\":\"q2\",\"question\":\"어느 나라?\",\"answers\":[]}");

        var error = await Assert.ThrowsAsync<LeaderboardException>(() => Register("empty", "empty.json", content));

        Assert.Equal("empty.json: 1 question(s) have no gold answer: \"q2\".", error.Message);
        Assert.Equal("empty.json: 질문 1개에 정답이 없습니다: \"q2\".", error.Korean);
        Assert.Equal((0, 0), await StoredAsync());
    }

    [Fact]
    public async Task MalformedJson_NamesTheFileAndPosition()
    {
        var error = await Assert.ThrowsAsync<LeaderboardException>(() => Register("bad", "bad.json", "{\"data\": [\n  {\"title\": }\n]}"));
        Assert.Equal(LeaderboardError.InvalidArgument, error.Error);
        Assert.StartsWith("bad.json:2:", error.Message, StringComparison.Ordinal);

        var missing = await Assert.ThrowsAsync<LeaderboardException>(() => Register("bad", "bad.json", "{\"version\": \"x\"}"));
        Assert.Contains("missing required member \"data\"", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jsonl_IsReadWithItsLineNumbersInErrors()
    {
        var set = await Register("open-domain", "questions.jsonl",
            "{\"id\":\"o1\",\"question\":\"한국의 수도는?\",\"answers\":[\"서울\"]}\n\n{\"id\":\"o2\",\"question\":\"가장 큰 섬은?\",\"answers\":[{\"text\":\"제주도\"}]}\n");
        Assert.Equal(2, set.QuestionCount);
        Assert.Equal(set.QuestionCount, set.PublicCount + set.PrivateCount);

        var error = await Assert.ThrowsAsync<LeaderboardException>(() => Register("broken", "broken.jsonl",
            "{\"id\":\"o1\",\"question\":\"?\",\"answers\":[\"a\"]}\n{\"id\":\"o2\",\"question\":\"?\",\"answers\":[\"b\"]\n"));
        Assert.StartsWith("broken.jsonl:2:", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Path.GetTempPath(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UploadsOverTheLimit_AndRepeatedNames_AreRefused()
    {
        var huge = Squad(string.Join(",", Enumerable.Range(0, 60).Select(i =>
            $"{{\"id\":\"q{i}\",\"question\":\"수도는 어디인가요?\",\"answers\":[{{\"text\":\"서울\",\"answer_start\":0}}]}}")));
        var tooBig = await Assert.ThrowsAsync<LeaderboardException>(() => Register("huge", "huge.json", huge));
        Assert.Contains("larger than the upload limit of 4,000 bytes", tooBig.Message, StringComparison.Ordinal);

        var content = Squad("{\"id\":\"q1\",\"question\":\"수도는?\",\"answers\":[{\"text\":\"서울\",\"answer_start\":0}]}");
        await Register("once", "once.json", content);
        var again = await Assert.ThrowsAsync<LeaderboardException>(() => Register("once", "once.json", content));
        Assert.Equal(LeaderboardError.FailedPrecondition, again.Error);
        Assert.Equal((1, 1), await StoredAsync());
    }
}
