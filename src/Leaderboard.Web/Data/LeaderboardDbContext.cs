using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Mrc.Leaderboard.Domain;

namespace Mrc.Leaderboard.Data;

/// <summary>
/// The leaderboard's database. Each provider has its own subclass (and so its own migrations):
/// <see cref="SqliteLeaderboardDbContext"/> and <see cref="PostgresLeaderboardDbContext"/>.
/// It also keeps the data-protection keys that sign-in cookies are protected with.
/// </summary>
public abstract class LeaderboardDbContext(DbContextOptions options) : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<EvaluationSet> EvaluationSets => Set<EvaluationSet>();
    public DbSet<EvaluationQuestion> Questions => Set<EvaluationQuestion>();
    public DbSet<Team> Teams => Set<Team>();
    public DbSet<SubmissionRecord> Submissions => Set<SubmissionRecord>();
    public DbSet<Prediction> Predictions => Set<Prediction>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every timestamp is UTC; SQLite returns unspecified kinds, so mark them on the way out.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<EvaluationSet>(set =>
        {
            set.HasIndex(s => s.Name).IsUnique();
            set.Property(s => s.Name).HasMaxLength(200);
            set.Property(s => s.SourceFileName).HasMaxLength(400);
            set.Property(s => s.SplitSalt).HasMaxLength(64);
            set.Property(s => s.RetrieverIndex).HasMaxLength(RetrieverIndexCheck.MaxNameLength);
            set.HasMany(s => s.Questions).WithOne(q => q.EvaluationSet).HasForeignKey(q => q.EvaluationSetId)
                .OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<EvaluationQuestion>(question =>
        {
            question.HasIndex(q => new { q.EvaluationSetId, q.QuestionId }).IsUnique();
            question.HasIndex(q => new { q.EvaluationSetId, q.Ordinal });
            question.Property(q => q.QuestionId).HasMaxLength(400);
        });

        modelBuilder.Entity<Team>(team =>
        {
            team.HasIndex(t => t.Name).IsUnique();
            team.HasIndex(t => t.TokenHash).IsUnique();
            team.Property(t => t.Name).HasMaxLength(100);
            team.Property(t => t.TokenHash).HasMaxLength(64);
        });

        modelBuilder.Entity<SubmissionRecord>(submission =>
        {
            submission.HasOne(s => s.Team).WithMany().HasForeignKey(s => s.TeamId).OnDelete(DeleteBehavior.Cascade);
            submission.HasOne(s => s.EvaluationSet).WithMany().HasForeignKey(s => s.EvaluationSetId)
                .OnDelete(DeleteBehavior.Cascade);
            submission.HasIndex(s => new { s.EvaluationSetId, s.Status });
            submission.HasIndex(s => new { s.TeamId, s.SubmittedAt });
            submission.Property(s => s.Description).HasMaxLength(2000);
            submission.Property(s => s.Model).HasMaxLength(200);
            submission.Property(s => s.Version).HasMaxLength(100);
            submission.Property(s => s.LeaseOwner).HasMaxLength(200);
            submission.Property(s => s.Kind).HasConversion<string>().HasMaxLength(20);
            submission.Property(s => s.Status).HasConversion<string>().HasMaxLength(20);
            submission.Property(s => s.ReadMode).HasConversion<string>().HasMaxLength(20);
        });

        modelBuilder.Entity<Prediction>(prediction =>
        {
            // A resumed job can never store a question twice.
            prediction.HasIndex(p => new { p.SubmissionId, p.QuestionRowId }).IsUnique();
            prediction.HasOne(p => p.Submission).WithMany().HasForeignKey(p => p.SubmissionId).OnDelete(DeleteBehavior.Cascade);
            prediction.HasOne(p => p.Question).WithMany().HasForeignKey(p => p.QuestionRowId)
                .OnDelete(DeleteBehavior.Cascade);
            prediction.Property(p => p.RetrievalRule).HasConversion<string>().HasMaxLength(20);
            prediction.Property(p => p.Problem).HasMaxLength(1000);
        });

        modelBuilder.Entity<AuditEntry>(entry =>
        {
            entry.HasIndex(e => e.At);
            entry.Property(e => e.Actor).HasMaxLength(200);
            entry.Property(e => e.Action).HasMaxLength(100);
            entry.Property(e => e.Target).HasMaxLength(400);
            entry.Property(e => e.Outcome).HasMaxLength(2000);
        });
    }

    sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        value => value.Kind == DateTimeKind.Utc ? value : value.ToUniversalTime(),
        value => DateTime.SpecifyKind(value, DateTimeKind.Utc));
}

/// <summary>The SQLite flavour (embedded default); migrations under Data/Migrations/Sqlite.</summary>
public sealed class SqliteLeaderboardDbContext(DbContextOptions<SqliteLeaderboardDbContext> options)
    : LeaderboardDbContext(options);

/// <summary>The PostgreSQL flavour; migrations under Data/Migrations/Postgres.</summary>
public sealed class PostgresLeaderboardDbContext(DbContextOptions<PostgresLeaderboardDbContext> options)
    : LeaderboardDbContext(options);
