using System.Text;
using System.Text.RegularExpressions;
using Grpc.Core;
using Mrc.Contracts.V1;
using Mrc.Leaderboard.Data;
using Mrc.Leaderboard.Domain;
using Mrc.Leaderboard.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Mrc.Leaderboard.Tests;

/// <summary>What teams can learn of the private split before the reveal, and how the split is drawn.</summary>
public sealed partial class PrivateSplitTests : IAsyncLifetime
{
    TestDatabase database = default!;
    FakePipeline pipeline = default!;
    LeaderboardHost host = default!;

    public async Task InitializeAsync()
    {
        database = TestDatabase.Sqlite();
        pipeline = await FakePipeline.StartAsync();
        TestSets.Configure(pipeline);
        host = await LeaderboardHost.StartAsync(database, pipeline.Address);
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        await pipeline.DisposeAsync();
        database.Dispose();
    }

    [Fact]
    public async Task RetrievalRecall_BeforeTheReveal_CountsOnlyPublicQuestions()
    {
        var set = await host.Get<EvaluationSetService>().RegisterAsync("korean-dev", "korean-dev.json", new MemoryStream(TestSets.KoreanJson()));
        // A known split: kq-01..kq-06 public, kq-07..kq-12 private. The fake retriever finds the gold
        // paragraph of kq-01..kq-09, so recall is 6/6 over the public questions and 9/12 over all.
        await using (var db = await host.Get<IDbContextFactory<LeaderboardDbContext>>().CreateDbContextAsync())
        {
            await db.Questions.Where(q => q.EvaluationSetId == set.Id).ExecuteUpdateAsync(q => q.SetProperty(x => x.IsPrivate, x => x.Ordinal >= 6));
            await db.EvaluationSets.Where(s => s.Id == set.Id).ExecuteUpdateAsync(s => s.SetProperty(x => x.PublicCount, 6).SetProperty(x => x.PrivateCount, 6));
        }
        var (team, token) = await host.Get<TeamService>().CreateAsync("알파");
        var client = host.Client(token);
        var submitted = await client.SubmitAsync(new SubmitRequest
        {
            EvaluationSet = "korean-dev",
            ModelRun = new ModelRun { Model = "klue-bert-base", Version = "v1", TopK = 1 },
        });
        using (var watch = client.WatchSubmission(new WatchSubmissionRequest { SubmissionId = submitted.Id }, deadline: DateTime.UtcNow.AddMinutes(1)))
            await foreach (var _ in watch.ResponseStream.ReadAllAsync()) { }
        var request = new GetSubmissionRequest { SubmissionId = submitted.Id };

        var mine = await client.GetSubmissionAsync(request);
        Assert.Equal(SubmissionState.Succeeded, mine.State);
        Assert.Equal(1.0, mine.RetrievalRecall, 9);
        var board = await client.GetLeaderboardAsync(new GetLeaderboardRequest { EvaluationSet = "korean-dev" });
        Assert.Equal(1.0, Assert.Single(board.Entries).BestSubmission.RetrievalRecall, 9);
        using var browser = host.Browser(await host.AuthCookieAsync(Caller.ForTeam(team.Id, team.Name)));
        Assert.Equal("100.0%", ShownRecall(await browser.GetStringAsync(new Uri($"/submissions/{submitted.Id}", UriKind.Relative))));
        Assert.Equal(0.75, (await host.Client(LeaderboardHost.AdminSecret).GetSubmissionAsync(request)).RetrievalRecall, 9);

        // After the reveal, teams see the recall over every question.
        await host.Get<EvaluationSetService>().SetPrivateRevealedAsync(set.Id, true);
        Assert.Equal(0.75, (await client.GetSubmissionAsync(request)).RetrievalRecall, 9);
        Assert.Equal("75.0%", ShownRecall(await browser.GetStringAsync(new Uri($"/submissions/{submitted.Id}", UriKind.Relative))));
    }

    [Fact]
    public async Task TwoSetsWithTheSameQuestionIds_GetDifferentSplits()
    {
        var sets = host.Get<EvaluationSetService>();
        var first = await sets.RegisterAsync("첫째", "questions.jsonl", new MemoryStream(ManyQuestions(200)));
        var second = await sets.RegisterAsync("둘째", "questions.jsonl", new MemoryStream(ManyQuestions(200)));

        var a = await SplitAsync(first.Id);
        var b = await SplitAsync(second.Id);
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        // 200 questions at a 0.6 share: identical splits by chance have odds of about 0.52^200.
        Assert.NotEqual(a.OrderBy(p => p.Key).Select(p => p.Value), b.OrderBy(p => p.Key).Select(p => p.Value));
    }

    [Fact]
    public async Task ASetRegisteredBeforeSalts_KeepsItsSplit()
    {
        using var earlier = TestDatabase.Sqlite();
        var ids = Enumerable.Range(0, 200).Select(i => $"q-{i:D4}").ToList();
        var split = ids.ToDictionary(id => id, id => PublicPrivateSplit.Bucket(id) < 6_000); // SHA-256 of the id alone, share 0.6

        // The database as the release before salts left it, holding a set split by the old rule.
        var options = new DbContextOptionsBuilder<SqliteLeaderboardDbContext>().UseSqlite(earlier.Settings["ConnectionStrings:Leaderboard"]).Options;
        await using (var db = new SqliteLeaderboardDbContext(options))
        {
            var migrations = db.Database.GetMigrations().ToList();
            var beforeSalts = migrations[migrations.FindIndex(m => m.EndsWith("_EvaluationSetSplitSalt", StringComparison.Ordinal)) - 1];
            await db.GetService<IMigrator>().MigrateAsync(beforeSalts);
            int privateCount = split.Count(p => p.Value);
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO EvaluationSets (Id, Name, SourceFileName, PrivateShare, PrivateRevealed, QuestionCount, PublicCount, PrivateCount, CreatedAt)
                VALUES (1, '예전-세트', 'questions.jsonl', 0.6, 0, {ids.Count}, {ids.Count - privateCount}, {privateCount}, '2026-11-01 00:00:00')
                """);
            for (int i = 0; i < ids.Count; i++)
                await db.Database.ExecuteSqlAsync($"""
                    INSERT INTO Questions (EvaluationSetId, QuestionId, Ordinal, Text, AnswersJson, IsPrivate)
                    VALUES (1, {ids[i]}, {i}, {"질문 " + i}, '["답"]', {split[ids[i]]})
                    """);
        }

        // Starting the new release migrates the database; the set keeps its split, and its (empty)
        // salt still gives that split, so nothing that recomputes it disagrees with what is stored.
        await using (var later = await LeaderboardHost.StartAsync(earlier, pipeline.Address))
        {
            await using var db = await later.Get<IDbContextFactory<LeaderboardDbContext>>().CreateDbContextAsync();
            var set = await db.EvaluationSets.Include(s => s.Questions).SingleAsync();
            Assert.Equal("", set.SplitSalt);
            Assert.Equal(split, set.Questions.ToDictionary(q => q.QuestionId, q => q.IsPrivate));
            Assert.All(set.Questions, q => Assert.Equal(PublicPrivateSplit.IsPrivate(q.QuestionId, set.PrivateShare, set.SplitSalt), q.IsPrivate));
        }
    }

    async Task<Dictionary<string, bool>> SplitAsync(long setId)
    {
        await using var db = await host.Get<IDbContextFactory<LeaderboardDbContext>>().CreateDbContextAsync();
        return await db.Questions.Where(q => q.EvaluationSetId == setId).ToDictionaryAsync(q => q.QuestionId, q => q.IsPrivate);
    }

    /// <summary>A JSONL evaluation set of <paramref name="count"/> one-answer questions with ids q-0000, q-0001, ….</summary>
    internal static byte[] ManyQuestions(int count)
    {
        var lines = new StringBuilder();
        for (int i = 0; i < count; i++)
            lines.Append("{\"id\":\"q-").Append(i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture))
                .Append("\",\"question\":\"질문 ").Append(i).Append("\",\"answers\":[\"답 ").Append(i).Append("\"]}\n");
        return Encoding.UTF8.GetBytes(lines.ToString());
    }

    static string ShownRecall(string html) => RecallCell().Match(html) is { Success: true } match
        ? match.Groups[1].Value.Trim()
        : throw new Xunit.Sdk.XunitException("The page shows no recall.");

    [GeneratedRegex("data-testid=\"recall\"[^>]*>([^<]*)<")]
    private static partial Regex RecallCell();
}
