using System.Globalization;
using System.Text.Json;
using Mrc.Leaderboard.Data;
using Mrc.Leaderboard.Domain;
using Mrc.Leaderboard.Evaluation;
using Mrc.Leaderboard.Tests.Support;
using Mrc.Core.Data;
using Mrc.Core.Metrics;
using Mrc.Tests;
using Microsoft.EntityFrameworkCore;

namespace Mrc.Leaderboard.Tests;

public class ScoringTests
{
    static EvaluationQuestion Question(string id, bool isPrivate, params string[] answers) => new()
    {
        QuestionId = id, Text = id, AnswersJson = JsonSerializer.Serialize(answers), IsPrivate = isPrivate,
    };

    [Theory]
    // Hand-checked: 2 of the 5 gold characters, all of the predicted ones: P=1, R=0.4, F1=4/7.
    [InlineData("서울", "서울특별시", 0, 400.0 / 7)]
    // 《》 become spaces and disappear in the whitespace fix.
    [InlineData("《서울특별시》", "서울특별시", 100, 100)]
    // ASCII punctuation is deleted: "1,947" equals "1947".
    [InlineData("1,947미터", "1947미터", 100, 100)]
    // P=2/4, R=2/2: F1=2/3.
    [InlineData("한강 유역", "한강", 0, 200.0 / 3)]
    [InlineData("부산", "서울", 0, 0)]
    public void ScoreQuestion_MatchesHandCheckedValues(string prediction, string gold, double exactMatch, double f1)
    {
        var (em, f) = Scoring.ScoreQuestion(prediction, [gold]);
        Assert.Equal(exactMatch, em);
        Assert.Equal(f1, f, 9);
    }

    [Fact]
    public void ScoreQuestion_TakesTheBestGoldAnswer()
    {
        Assert.Equal((100.0, 100.0), Scoring.ScoreQuestion("1947미터", ["천구백사십칠 미터", "1,947미터"]));
    }

    [Fact]
    public void ScoreSubmission_HandCheckedSetWithUnansweredQuestion_SplitsPublicAndPrivate()
    {
        var questions = new[]
        {
            Question("q1", false, "세종대왕"),
            Question("q2", false, "서울특별시"),
            Question("q3", true, "한강"),
            Question("q4", true, "한강"),
        };
        var predictions = new Dictionary<string, string> { ["q1"] = "세종대왕", ["q2"] = "서울", ["q4"] = "한강 유역" };

        var scores = Scoring.ScoreSubmission(questions, predictions);

        // All: EM 1/4; F1 (1 + 4/7 + 0 + 2/3) / 4 = 47/84.
        Assert.Equal(25.0, scores.All.ExactMatch, 9);
        Assert.Equal(100.0 * 47 / 84, scores.All.F1, 9);
        Assert.Equal(1, scores.All.UnansweredCount);
        // Public q1, q2: EM 1/2, F1 (1 + 4/7) / 2 = 11/14.
        Assert.Equal(50.0, scores.Public!.ExactMatch, 9);
        Assert.Equal(100.0 * 11 / 14, scores.Public.F1, 9);
        // Private q3 (unanswered), q4: EM 0, F1 (0 + 2/3) / 2 = 1/3.
        Assert.Equal(0.0, scores.Private!.ExactMatch, 9);
        Assert.Equal(100.0 / 3, scores.Private.F1, 9);
        Assert.Equal(1, scores.Private.UnansweredCount);
    }

    [Fact]
    public void ScoreSubmission_OnKorQuadDev_EqualsKorQuadMetricsOnEverySplit()
    {
        var examples = SquadJson.Load(TestData.KorQuadPartA).Examples().ToList();
        var questions = examples.Select(e => new EvaluationQuestion
        {
            QuestionId = e.Id, Text = e.Question,
            AnswersJson = JsonSerializer.Serialize(e.Answers.Select(a => a.Text).ToArray()),
            IsPrivate = PublicPrivateSplit.IsPrivate(e.Id, 0.6),
        }).ToList();
        var predictions = DevPredictions(examples);

        var scores = Scoring.ScoreSubmission(questions, predictions);

        IEnumerable<(string, IReadOnlyList<string>)> Gold(IEnumerable<QuestionExample> subset) =>
            subset.Select(e => (e.Id, (IReadOnlyList<string>)e.Answers.Select(a => a.Text).ToList()));
        var all = KorQuadMetrics.Evaluate(Gold(examples), predictions);
        var publicOnly = KorQuadMetrics.Evaluate(Gold(examples.Where(e => !PublicPrivateSplit.IsPrivate(e.Id, 0.6))), predictions);
        var privateOnly = KorQuadMetrics.Evaluate(Gold(examples.Where(e => PublicPrivateSplit.IsPrivate(e.Id, 0.6))), predictions);
        Assert.Equal((all.ExactMatch, all.F1), (scores.All.ExactMatch, scores.All.F1));
        Assert.Equal((publicOnly.ExactMatch, publicOnly.F1), (scores.Public!.ExactMatch, scores.Public.F1));
        Assert.Equal((privateOnly.ExactMatch, privateOnly.F1), (scores.Private!.ExactMatch, scores.Private.F1));
        Assert.InRange(all.ExactMatch, 20, 80);
    }

    [Fact]
    public async Task PredictionsSubmission_OnKorQuadDev_ScoresExactlyAsTheOfficialMetricOnTheSameFiles()
    {
        using var database = TestDatabase.Sqlite();
        await using var pipeline = await FakePipeline.StartAsync();
        await using var host = await LeaderboardHost.StartAsync(database, pipeline.Address);
        var examples = SquadJson.Load(TestData.KorQuadPartA).Examples().ToList();
        var predictions = DevPredictions(examples);
        var folder = Directory.CreateTempSubdirectory("mrc-eval-");
        try
        {
            var predictionsPath = Path.Combine(folder.FullName, "predictions.json");
            PredictionsJson.Save(predictions, predictionsPath);
            await using (var file = File.OpenRead(TestData.KorQuadPartA))
                await host.Get<EvaluationSetService>().RegisterAsync("korquad-dev-a", "KorQuAD_v1.0_dev.part-a.json", file);
            var (team, _) = await host.Get<TeamService>().CreateAsync("평가팀");
            await using var upload = File.OpenRead(predictionsPath);
            var submitted = await host.Get<SubmissionService>().SubmitPredictionsAsync(
                Caller.ForTeam(team.Id, team.Name), "korquad-dev-a", upload, "baseline", "mrc eval과 비교");
            var adminView = await host.Get<SubmissionService>().GetAsync(Caller.Admin, submitted.Id);

            // What `mrc eval` does: both files read back from disk and scored by KorQuadMetrics.
            var official = KorQuadMetrics.Evaluate(
                QuestionSetReader.Load(TestData.KorQuadPartA).Select(q => (q.Id, (IReadOnlyList<string>)q.Answers.Select(a => a.Text).ToList())),
                PredictionsJson.Load(predictionsPath));
            double em = official.ExactMatch, f1 = official.F1;

            Assert.Equal(SubmissionStatus.Succeeded, adminView.Status);
            Assert.Equal(em, adminView.All!.ExactMatch, 10);
            Assert.Equal(f1, adminView.All.F1, 10);
            Assert.Equal(examples.Count, adminView.Total);
        }
        finally
        {
            folder.Delete(true);
        }
    }

    /// <summary>Deterministic predictions of every kind: exact, cut short, padded, wrong and missing.</summary>
    internal static Dictionary<string, string> DevPredictions(IReadOnlyList<QuestionExample> examples)
    {
        var predictions = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < examples.Count; i++)
        {
            var gold = examples[i].Answers[0].Text;
            switch (i % 5)
            {
                case 0: predictions[examples[i].Id] = gold; break;
                case 1: predictions[examples[i].Id] = gold.Length > 1 ? gold[..(gold.Length / 2)] : gold; break;
                case 2: predictions[examples[i].Id] = "《" + gold + "》에서"; break;
                case 3: predictions[examples[i].Id] = string.Create(CultureInfo.InvariantCulture, $"오답 {i}"); break;
                default: break; // unanswered
            }
        }
        return predictions;
    }
}

public class SplitTests
{
    [Theory]
    // Buckets from an independent SHA-256 implementation (Python hashlib): first 8 bytes big-endian mod 10000.
    [InlineData("kq-01", 9896)]
    [InlineData("6566495-0-0", 1853)]
    [InlineData("a", 2250)]
    [InlineData("한국어-질문", 4352)]
    public void Bucket_IsFirstEightBytesOfSha256ModTenThousand(string id, int bucket)
    {
        Assert.Equal(bucket, PublicPrivateSplit.Bucket(id));
    }

    [Fact]
    public void IsPrivate_IsDeterministicAndFollowsTheShare()
    {
        var ids = SquadJson.Load(TestData.KorQuadPartA).Examples().Select(e => e.Id).ToList();
        var first = ids.Select(id => PublicPrivateSplit.IsPrivate(id, 0.6)).ToList();
        var second = ids.Select(id => PublicPrivateSplit.IsPrivate(id, 0.6)).ToList();
        Assert.Equal(first, second);
        double share = first.Count(p => p) / (double)ids.Count;
        Assert.InRange(share, 0.57, 0.63);
        Assert.DoesNotContain(ids, id => PublicPrivateSplit.IsPrivate(id, 0.0));
        Assert.All(ids, id => Assert.True(PublicPrivateSplit.IsPrivate(id, 1.0)));
        // A larger private share only ever moves questions from public to private.
        Assert.All(ids.Where(id => PublicPrivateSplit.IsPrivate(id, 0.4)), id => Assert.True(PublicPrivateSplit.IsPrivate(id, 0.6)));
    }

    [Fact]
    public async Task RegisteredSet_StoresTheSplitOfItsOwnSalt()
    {
        using var database = TestDatabase.Sqlite();
        await using var pipeline = await FakePipeline.StartAsync();
        await using var host = await LeaderboardHost.StartAsync(database, pipeline.Address);
        var sets = host.Get<EvaluationSetService>();
        var a = await sets.RegisterAsync("첫째", "korean-dev.json", new MemoryStream(TestSets.KoreanJson()));
        var b = await sets.RegisterAsync("둘째", "korean-dev.json", new MemoryStream(TestSets.KoreanJson()));

        await using var db = await host.Get<IDbContextFactory<LeaderboardDbContext>>().CreateDbContextAsync();
        foreach (var info in new[] { a, b })
        {
            var set = await db.EvaluationSets.Include(s => s.Questions).SingleAsync(s => s.Id == info.Id);
            Assert.Equal(64, set.SplitSalt.Length);
            Assert.Equal(12, info.QuestionCount);
            Assert.All(set.Questions, q => Assert.Equal(PublicPrivateSplit.IsPrivate(q.QuestionId, 0.6, set.SplitSalt), q.IsPrivate));
            Assert.Equal(set.Questions.Count(q => q.IsPrivate), info.PrivateCount);
            Assert.Equal(info.QuestionCount - info.PrivateCount, info.PublicCount);
        }
        Assert.NotEqual(
            (await db.EvaluationSets.SingleAsync(s => s.Id == a.Id)).SplitSalt,
            (await db.EvaluationSets.SingleAsync(s => s.Id == b.Id)).SplitSalt);
    }

    [Theory]
    // HMAC-SHA256 from an independent implementation (Python hmac): first 8 bytes big-endian mod 10000.
    [InlineData("kq-01", "salt", 3878)]
    [InlineData("한국어-질문", "0123456789abcdef", 7592)]
    public void Bucket_WithASalt_IsHmacSha256OfTheId(string id, string salt, int bucket)
    {
        Assert.Equal(bucket, PublicPrivateSplit.Bucket(id, salt));
    }
}
