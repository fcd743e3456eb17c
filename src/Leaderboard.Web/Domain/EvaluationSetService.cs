using System.Text.Json;
using Mrc.Leaderboard.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Mrc.Core.Data;

namespace Mrc.Leaderboard.Domain;

/// <summary>An evaluation set as pages and the API list it.</summary>
public sealed record EvaluationSetInfo(
    long Id, string Name, string SourceFileName, int QuestionCount, int PublicCount, int PrivateCount,
    double PrivateShare, bool PrivateRevealed, DateTime CreatedAt);

/// <summary>Registers evaluation sets from uploaded files, lists them, and reveals their private split.</summary>
public sealed class EvaluationSetService(
    IDbContextFactory<LeaderboardDbContext> dbFactory,
    IOptions<LeaderboardOptions> options,
    UploadSlots uploads,
    TimeProvider clock)
{
    const int ListedProblems = 5;

    /// <summary>
    /// Reads, validates and stores an evaluation set in one transaction: any problem (format, duplicate
    /// id, question without answers, size) stores nothing and says what and where.
    /// </summary>
    public async Task<EvaluationSetInfo> RegisterAsync(
        string name, string fileName, Stream content, double? privateShare = null, CancellationToken cancellationToken = default)
    {
        name = (name ?? "").Trim();
        if (name.Length is 0 or > 200)
            throw new LeaderboardException(LeaderboardError.InvalidArgument, "An evaluation set name needs 1 to 200 characters.");
        double share = privateShare ?? options.Value.PrivateShare;
        if (share is < 0 or > 1 || double.IsNaN(share))
            throw new LeaderboardException(LeaderboardError.InvalidArgument, "The private share must be between 0 and 1.");
        fileName = Path.GetFileName(string.IsNullOrWhiteSpace(fileName) ? "upload.json" : fileName);

        using var slot = uploads.Enter(fileName);
        var bytes = await Uploads.ReadLimitedAsync(content, options.Value.MaxUploadBytes, fileName, cancellationToken);
        var examples = Parse(fileName, bytes);
        Validate(fileName, examples);

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await db.EvaluationSets.AnyAsync(s => s.Name == name, cancellationToken))
            throw new LeaderboardException(LeaderboardError.FailedPrecondition, $"An evaluation set named \"{name}\" already exists.");

        var set = new EvaluationSet
        {
            Name = name,
            SourceFileName = fileName,
            PrivateShare = share,
            SplitSalt = PublicPrivateSplit.NewSalt(),
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        for (int i = 0; i < examples.Count; i++)
        {
            var example = examples[i];
            bool isPrivate = PublicPrivateSplit.IsPrivate(example.Id, share, set.SplitSalt);
            set.Questions.Add(new EvaluationQuestion
            {
                QuestionId = example.Id,
                Ordinal = i,
                Text = example.Question,
                Context = example.Context,
                Title = example.Title,
                AnswersJson = GoldAnswersJson.Serialize(example.Answers),
                IsPrivate = isPrivate,
            });
        }
        set.QuestionCount = examples.Count;
        set.PrivateCount = set.Questions.Count(q => q.IsPrivate);
        set.PublicCount = set.QuestionCount - set.PrivateCount;

        // One SaveChanges is one transaction: the set and every question, or nothing.
        db.EvaluationSets.Add(set);
        await db.SaveChangesAsync(cancellationToken);
        return ToInfo(set);
    }

    public async Task<IReadOnlyList<EvaluationSetInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var sets = await db.EvaluationSets.AsNoTracking().OrderBy(s => s.Name).ToListAsync(cancellationToken);
        return sets.Select(ToInfo).ToList();
    }

    public async Task<EvaluationSetInfo> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var set = await db.EvaluationSets.AsNoTracking().FirstOrDefaultAsync(s => s.Name == name, cancellationToken)
            ?? throw new LeaderboardException(LeaderboardError.NotFound, $"Evaluation set \"{name}\" does not exist.");
        return ToInfo(set);
    }

    /// <summary>Shows (or hides again) private scores and private gold answers to teams.</summary>
    public async Task SetPrivateRevealedAsync(long setId, bool revealed, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        int changed = await db.EvaluationSets.Where(s => s.Id == setId)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.PrivateRevealed, revealed), cancellationToken);
        if (changed == 0) throw new LeaderboardException(LeaderboardError.NotFound, $"Evaluation set {setId} does not exist.");
    }

    /// <summary>Deletes a set with its questions, submissions and predictions.</summary>
    public async Task DeleteAsync(long setId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var submissionIds = db.Submissions.Where(s => s.EvaluationSetId == setId).Select(s => s.Id);
        await db.Predictions.Where(p => submissionIds.Contains(p.SubmissionId)).ExecuteDeleteAsync(cancellationToken);
        await db.Submissions.Where(s => s.EvaluationSetId == setId).ExecuteDeleteAsync(cancellationToken);
        await db.Questions.Where(q => q.EvaluationSetId == setId).ExecuteDeleteAsync(cancellationToken);
        int deleted = await db.EvaluationSets.Where(s => s.Id == setId).ExecuteDeleteAsync(cancellationToken);
        if (deleted == 0) throw new LeaderboardException(LeaderboardError.NotFound, $"Evaluation set {setId} does not exist.");
        await transaction.CommitAsync(cancellationToken);
    }

    static List<QuestionExample> Parse(string fileName, ReadOnlyMemory<byte> bytes)
    {
        try
        {
            if (fileName.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase))
                return Uploads.WithTemporaryFile(fileName, bytes, path => QuestionJsonl.Load(path).ToList());
            return SquadJson.Parse(bytes, fileName).Examples().ToList();
        }
        catch (DataFormatException e)
        {
            throw new LeaderboardException(LeaderboardError.InvalidArgument, e.Message);
        }
    }

    static void Validate(string fileName, List<QuestionExample> examples)
    {
        if (examples.Count == 0)
            throw new LeaderboardException(LeaderboardError.InvalidArgument, $"{fileName}: the file holds no questions.");

        var duplicates = examples.GroupBy(e => e.Id, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicates.Count > 0)
            throw new LeaderboardException(LeaderboardError.InvalidArgument,
                $"{fileName}: {duplicates.Count} question id(s) occur more than once: {List(duplicates)}.");

        var empty = examples.Where(e => string.IsNullOrWhiteSpace(e.Question)).Select(e => e.Id).ToList();
        if (empty.Count > 0)
            throw new LeaderboardException(LeaderboardError.InvalidArgument,
                $"{fileName}: {empty.Count} question(s) have empty text: {List(empty)}.");

        var unanswered = examples.Where(e => !e.Answers.Any(a => !string.IsNullOrWhiteSpace(a.Text))).Select(e => e.Id).ToList();
        if (unanswered.Count > 0)
            throw new LeaderboardException(LeaderboardError.InvalidArgument,
                $"{fileName}: {unanswered.Count} question(s) have no gold answer: {List(unanswered)}.");
    }

    static string List(List<string> ids) =>
        string.Join(", ", ids.Take(ListedProblems).Select(id => $"\"{id}\"")) + (ids.Count > ListedProblems ? ", …" : "");

    internal static EvaluationSetInfo ToInfo(EvaluationSet set) => new(
        set.Id, set.Name, set.SourceFileName, set.QuestionCount, set.PublicCount, set.PrivateCount,
        set.PrivateShare, set.PrivateRevealed, set.CreatedAt);
}
