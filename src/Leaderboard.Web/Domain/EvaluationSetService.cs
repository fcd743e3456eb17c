using System.Text.Json;
using Mrc.Leaderboard.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Mrc.Core.Data;

namespace Mrc.Leaderboard.Domain;

/// <summary>An evaluation set as pages and the API list it.</summary>
public sealed record EvaluationSetInfo(
    long Id, string Name, string SourceFileName, int QuestionCount, int PublicCount, int PrivateCount,
    double PrivateShare, bool PrivateRevealed, DateTime CreatedAt,
    DateTime? OpensAt = null, DateTime? ClosesAt = null, int FinalSubmissionLimit = 2, DateTime? RevealedAt = null,
    string? RetrieverIndex = null);

/// <summary>A set's phases and final-submission limit (<see cref="Phases"/>, <see cref="FinalSelection"/>); times UTC, null for none.</summary>
public sealed record SetSchedule(DateTime? OpensAt, DateTime? ClosesAt, int FinalSubmissionLimit = 2)
{
    public const int MaxFinalSubmissionLimit = 20;

    internal void Validate()
    {
        if (FinalSubmissionLimit is < 1 or > MaxFinalSubmissionLimit)
            throw new LeaderboardException(LeaderboardError.InvalidArgument,
                $"The number of final submissions must be between 1 and {MaxFinalSubmissionLimit}.",
                $"최종 제출 수는 1에서 {MaxFinalSubmissionLimit} 사이여야 합니다.");
        Phases.Validate(OpensAt, ClosesAt);
    }
}

/// <summary>
/// Registers evaluation sets from uploaded files, lists them, schedules them, sets the retriever index
/// they are read against, reveals them, deletes them.
/// </summary>
public sealed class EvaluationSetService(
    IDbContextFactory<LeaderboardDbContext> dbFactory,
    IOptions<LeaderboardOptions> options,
    UploadSlots uploads,
    RetrieverIndexCheck indexes,
    TimeProvider clock)
{
    const int ListedProblems = 5;

    /// <summary>
    /// Reads, validates and stores an evaluation set in one transaction: any problem (format, duplicate
    /// id, question without answers, size) stores nothing and says what and where. A
    /// <paramref name="retrieverIndex"/> (null or blank: the retriever's default) must be one the
    /// retriever serves (<see cref="RetrieverIndexCheck"/>).
    /// </summary>
    public async Task<EvaluationSetInfo> RegisterAsync(
        string name, string fileName, Stream content, double? privateShare = null, SetSchedule? schedule = null,
        string? retrieverIndex = null, CancellationToken cancellationToken = default)
    {
        schedule?.Validate();
        name = (name ?? "").Trim();
        if (name.Length is 0 or > 200)
            throw new LeaderboardException(LeaderboardError.InvalidArgument, "An evaluation set name needs 1 to 200 characters.", "평가 세트 이름은 1~200자여야 합니다.");
        double share = privateShare ?? options.Value.PrivateShare;
        if (share is < 0 or > 1 || double.IsNaN(share))
            throw new LeaderboardException(LeaderboardError.InvalidArgument, "The private share must be between 0 and 1.", "비공개 비율은 0과 1 사이여야 합니다.");
        fileName = Path.GetFileName(string.IsNullOrWhiteSpace(fileName) ? "upload.json" : fileName);

        using var slot = uploads.Enter(fileName);
        var bytes = await Uploads.ReadLimitedAsync(content, options.Value.MaxUploadBytes, fileName, cancellationToken);
        var examples = Parse(fileName, bytes);
        Validate(fileName, examples);

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await db.EvaluationSets.AnyAsync(s => s.Name == name, cancellationToken))
            throw new LeaderboardException(LeaderboardError.FailedPrecondition, $"An evaluation set named \"{name}\" already exists.", $"\"{name}\" 평가 세트가 이미 있습니다.");
        retrieverIndex = RetrieverIndexCheck.Normalize(retrieverIndex);
        await indexes.EnsureServedAsync(retrieverIndex, cancellationToken);

        var set = new EvaluationSet
        {
            Name = name,
            SourceFileName = fileName,
            PrivateShare = share,
            SplitSalt = PublicPrivateSplit.NewSalt(),
            CreatedAt = clock.GetUtcNow().UtcDateTime,
            OpensAt = schedule?.OpensAt,
            ClosesAt = schedule?.ClosesAt,
            FinalSubmissionLimit = schedule?.FinalSubmissionLimit ?? 2,
            RetrieverIndex = retrieverIndex,
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
            ?? throw new LeaderboardException(LeaderboardError.NotFound, $"Evaluation set \"{name}\" does not exist.", $"평가 세트 \"{name}\"이(가) 없습니다.");
        return ToInfo(set);
    }

    /// <summary>Changes a set's phases and final-submission limit.</summary>
    public Task<EvaluationSetInfo> ScheduleAsync(long setId, SetSchedule schedule, CancellationToken cancellationToken = default) =>
        UpdateAsync(setId, schedule, keepIndex: true, retrieverIndex: null, cancellationToken);

    /// <summary>
    /// Changes a set's phases, final-submission limit and retriever index (null or blank: the
    /// retriever's default) in one save. A changed index must be one the retriever serves
    /// (<see cref="RetrieverIndexCheck"/>); an unchanged one is not asked about again, so a schedule
    /// can be changed while the retriever is away.
    /// </summary>
    public Task<EvaluationSetInfo> UpdateAsync(long setId, SetSchedule schedule, string? retrieverIndex, CancellationToken cancellationToken = default) =>
        UpdateAsync(setId, schedule, keepIndex: false, retrieverIndex, cancellationToken);

    async Task<EvaluationSetInfo> UpdateAsync(
        long setId, SetSchedule schedule, bool keepIndex, string? retrieverIndex, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        schedule.Validate();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var set = await db.EvaluationSets.FirstOrDefaultAsync(s => s.Id == setId, cancellationToken) ?? throw Missing(setId);
        retrieverIndex = keepIndex ? set.RetrieverIndex : RetrieverIndexCheck.Normalize(retrieverIndex);
        if (retrieverIndex != set.RetrieverIndex)
        {
            await RefuseIndexChangeAfterModelRunsAsync(db, set, cancellationToken);
            await indexes.EnsureServedAsync(retrieverIndex, cancellationToken);
        }
        set.RetrieverIndex = retrieverIndex;
        set.OpensAt = schedule.OpensAt;
        set.ClosesAt = schedule.ClosesAt;
        set.FinalSubmissionLimit = schedule.FinalSubmissionLimit;
        await db.SaveChangesAsync(cancellationToken);
        return ToInfo(set);
    }

    /// <summary>
    /// A set's model runs are ranked against each other, so they must all have been read against one
    /// index: once a model run exists, the index is fixed (register a new set to use another).
    /// </summary>
    static async Task RefuseIndexChangeAfterModelRunsAsync(LeaderboardDbContext db, EvaluationSet set, CancellationToken cancellationToken)
    {
        int runs = await db.Submissions.CountAsync(s => s.EvaluationSetId == set.Id && s.Kind == SubmissionKind.ModelRun, cancellationToken);
        if (runs > 0)
            throw new LeaderboardException(LeaderboardError.FailedPrecondition,
                $"Evaluation set \"{set.Name}\" already has {runs} model run(s) read against {IndexName(set.RetrieverIndex)}; " +
                "its index cannot change, so that all its runs stay comparable. Register a new set for another index.",
                $"평가 세트 \"{set.Name}\"에는 이미 {IndexLabel(set.RetrieverIndex)}으로 읽은 모델 실행이 {runs}개 있어 색인을 바꿀 수 없습니다. " +
                "다른 색인을 쓰려면 새 평가 세트를 등록하세요.");
    }

    static string IndexName(string? index) => index is null ? "the retriever's default index" : $"index \"{index}\"";

    static string IndexLabel(string? index) => index is null ? "기본 색인" : $"\"{index}\" 색인";

    /// <summary>Shows (or hides again) private scores and private gold answers to teams.</summary>
    public async Task SetPrivateRevealedAsync(long setId, bool revealed, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        int changed = await db.EvaluationSets.Where(s => s.Id == setId)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.PrivateRevealed, revealed)
                .SetProperty(x => x.RevealedAt, x => revealed ? x.RevealedAt ?? now : x.RevealedAt), cancellationToken);
        if (changed == 0) throw Missing(setId);
    }

    /// <summary>
    /// Reveals the private split of every set whose close has passed and that was never revealed (an
    /// admin who hid a split again after its reveal is not overruled), each with its audit line in the
    /// same transaction; returns their names.
    /// </summary>
    public async Task<IReadOnlyList<string>> RevealClosedSetsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var due = await db.EvaluationSets.Where(s => s.ClosesAt != null && s.ClosesAt <= now && s.RevealedAt == null)
            .ToListAsync(cancellationToken);
        foreach (var set in due)
        {
            set.PrivateRevealed = true;
            set.RevealedAt = now;
            db.AuditEntries.Add(new AuditEntry { At = now, Actor = "system (close)", Action = "set.reveal", Target = set.Name, Outcome = AuditLog.Ok });
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return [.. due.Select(s => s.Name)];
    }

    /// <summary>
    /// Deletes a set with its questions. A set with submissions is refused (FailedPrecondition) unless
    /// <paramref name="withSubmissions"/> says to delete them and their predictions too; either way in
    /// one transaction.
    /// </summary>
    public async Task DeleteAsync(long setId, bool withSubmissions, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var name = await db.EvaluationSets.Where(s => s.Id == setId).Select(s => s.Name).FirstOrDefaultAsync(cancellationToken)
            ?? throw Missing(setId);
        int submissions = await db.Submissions.CountAsync(s => s.EvaluationSetId == setId, cancellationToken);
        if (submissions > 0 && !withSubmissions)
            throw new LeaderboardException(LeaderboardError.FailedPrecondition,
                $"Evaluation set \"{name}\" has {submissions} submission(s); delete it with its submissions (cascade) or keep it.",
                $"평가 세트 \"{name}\"에 제출이 {submissions}개 있습니다. 제출까지 함께 삭제하거나 그대로 두세요.");
        var submissionIds = db.Submissions.Where(s => s.EvaluationSetId == setId).Select(s => s.Id);
        await db.Predictions.Where(p => submissionIds.Contains(p.SubmissionId)).ExecuteDeleteAsync(cancellationToken);
        await db.Submissions.Where(s => s.EvaluationSetId == setId).ExecuteDeleteAsync(cancellationToken);
        await db.Questions.Where(q => q.EvaluationSetId == setId).ExecuteDeleteAsync(cancellationToken);
        await db.EvaluationSets.Where(s => s.Id == setId).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    static LeaderboardException Missing(long setId) =>
        new(LeaderboardError.NotFound, $"Evaluation set {setId} does not exist.", $"평가 세트 {setId}이 없습니다.");

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
            throw new LeaderboardException(LeaderboardError.InvalidArgument, $"{fileName}: the file holds no questions.", $"{fileName}: 질문이 하나도 없습니다.");

        var duplicates = examples.GroupBy(e => e.Id, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicates.Count > 0)
            throw new LeaderboardException(LeaderboardError.InvalidArgument,
                $"{fileName}: {duplicates.Count} question id(s) occur more than once: {List(duplicates)}.",
                $"{fileName}: 질문 id {duplicates.Count}개가 두 번 이상 나옵니다: {List(duplicates)}.");

        var empty = examples.Where(e => string.IsNullOrWhiteSpace(e.Question)).Select(e => e.Id).ToList();
        if (empty.Count > 0)
            throw new LeaderboardException(LeaderboardError.InvalidArgument,
                $"{fileName}: {empty.Count} question(s) have empty text: {List(empty)}.",
                $"{fileName}: 질문 {empty.Count}개의 본문이 비어 있습니다: {List(empty)}.");

        var unanswered = examples.Where(e => !e.Answers.Any(a => !string.IsNullOrWhiteSpace(a.Text))).Select(e => e.Id).ToList();
        if (unanswered.Count > 0)
            throw new LeaderboardException(LeaderboardError.InvalidArgument,
                $"{fileName}: {unanswered.Count} question(s) have no gold answer: {List(unanswered)}.",
                $"{fileName}: 질문 {unanswered.Count}개에 정답이 없습니다: {List(unanswered)}.");
    }

    static string List(List<string> ids) =>
        string.Join(", ", ids.Take(ListedProblems).Select(id => $"\"{id}\"")) + (ids.Count > ListedProblems ? ", …" : "");

    internal static EvaluationSetInfo ToInfo(EvaluationSet set) => new(
        set.Id, set.Name, set.SourceFileName, set.QuestionCount, set.PublicCount, set.PrivateCount,
        set.PrivateShare, set.PrivateRevealed, set.CreatedAt, set.OpensAt, set.ClosesAt, set.FinalSubmissionLimit, set.RevealedAt,
        set.RetrieverIndex);
}
