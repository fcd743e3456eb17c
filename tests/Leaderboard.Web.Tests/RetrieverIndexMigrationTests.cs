using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Mrc.Contracts.V1;
using Mrc.Leaderboard.Data;
using Mrc.Leaderboard.Domain;
using Mrc.Leaderboard.Tests.Support;

namespace Mrc.Leaderboard.Tests;

/// <summary>
/// The EvaluationSetRetrieverIndex migration on both providers: the migrations describe the model
/// (nothing pending), a set stored before the column exists reads against the default index after
/// the upgrade, and the column holds an index on PostgreSQL as on SQLite.
/// </summary>
public sealed class RetrieverIndexMigrationTests
{
    [Fact]
    public void TheMigrations_DescribeTheModel_OfEitherProvider()
    {
        using var sqlite = new SqliteDesignTimeFactory().CreateDbContext([]);
        using var postgres = new PostgresDesignTimeFactory().CreateDbContext([]);

        Assert.False(sqlite.Database.HasPendingModelChanges(), "SQLite: the model has changes no migration holds");
        Assert.False(postgres.Database.HasPendingModelChanges(), "PostgreSQL: the model has changes no migration holds");
        Assert.EndsWith("_EvaluationSetRetrieverIndex", sqlite.Database.GetMigrations().Last(), StringComparison.Ordinal);
        Assert.EndsWith("_EvaluationSetRetrieverIndex", postgres.Database.GetMigrations().Last(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASetStoredBeforeTheColumn_ReadsAgainstTheDefaultIndex_AfterTheUpgrade()
    {
        using var earlier = TestDatabase.Sqlite();
        var options = new DbContextOptionsBuilder<SqliteLeaderboardDbContext>().UseSqlite(earlier.Settings["ConnectionStrings:Leaderboard"]).Options;
        await using (var db = new SqliteLeaderboardDbContext(options))
        {
            var migrations = db.Database.GetMigrations().ToList();
            var before = migrations[migrations.FindIndex(m => m.EndsWith("_EvaluationSetRetrieverIndex", StringComparison.Ordinal)) - 1];
            await db.GetService<IMigrator>().MigrateAsync(before);
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO EvaluationSets (Id, Name, SourceFileName, PrivateShare, SplitSalt, PrivateRevealed, FinalSubmissionLimit, QuestionCount, PublicCount, PrivateCount, CreatedAt)
                VALUES (1, '예전-세트', 'questions.json', 0.6, '', 0, 2, 0, 0, 0, '2026-11-01 00:00:00')
                """);
        }

        await using var pipeline = await FakePipeline.StartAsync();
        await using var later = await LeaderboardHost.StartAsync(earlier, pipeline.Address);
        var set = await later.Get<EvaluationSetService>().GetAsync("예전-세트");
        Assert.Null(set.RetrieverIndex);
        var listed = await later.Client(LeaderboardHost.AdminSecret).ListEvaluationSetsAsync(new ListEvaluationSetsRequest());
        Assert.Equal("", listed.EvaluationSets.Single().RetrieverIndex);
    }

    [PostgresFact]
    public async Task TheIndex_IsStoredAndChanged_OnPostgres()
    {
        await using var postgres = await PostgresServer.StartAsync();
        using var database = TestDatabase.Postgres(postgres.ConnectionString("leaderboard"));
        await using var pipeline = await FakePipeline.StartAsync();
        pipeline.Indexes.Add("wiki");
        await using var host = await LeaderboardHost.StartAsync(database, pipeline.Address);
        var sets = host.Get<EvaluationSetService>();

        var set = await sets.RegisterAsync("korean-wiki", "korean-dev.json", new MemoryStream(TestSets.KoreanJson()), retrieverIndex: "wiki");
        Assert.Equal("wiki", (await sets.GetAsync("korean-wiki")).RetrieverIndex);
        await sets.UpdateAsync(set.Id, new SetSchedule(null, null), retrieverIndex: "");
        Assert.Null((await sets.GetAsync("korean-wiki")).RetrieverIndex);
    }
}
