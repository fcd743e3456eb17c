using Mrc.Clients;
using Mrc.Leaderboard.Data;
using Mrc.Leaderboard.Evaluation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Mrc.Core.Data;

namespace Mrc.Leaderboard.Domain;

/// <summary>
/// Accepting submissions (with the daily limit), reading them back under the visibility rules,
/// cancelling them, and the leaderboard itself. Pages and the gRPC service both call this.
/// </summary>
public sealed class SubmissionService(
    IDbContextFactory<LeaderboardDbContext> dbFactory,
    IOptions<LeaderboardOptions> options,
    PipelineClient pipeline,
    EvaluationInbox queue,
    RunningJobs runningJobs,
    ProgressHub progress,
    UploadSlots uploads,
    TimeProvider clock)
{
    LeaderboardOptions Options => options.Value;

    /// <summary>Queues a model run for the worker. The model version is resolved (and recorded) now.</summary>
    public async Task<SubmissionView> SubmitModelRunAsync(
        Caller caller, string setName, ModelRunRequest run, string? description, CancellationToken cancellationToken = default)
    {
        long teamId = RequireTeam(caller);
        if (string.IsNullOrWhiteSpace(run.Model)) throw Invalid("A model run needs a model name.", "모델 실행에는 모델 이름이 필요합니다.");
        int topK = run.TopK == 0 ? Options.DefaultTopK : run.TopK;
        if (topK < 1 || topK > Options.MaxTopK) throw Invalid($"top-k must be between 1 and {Options.MaxTopK}.", $"top-k는 1에서 {Options.MaxTopK} 사이여야 합니다.");
        if (run.K1 is { } k1 && (float.IsNaN(k1) || k1 < 0 || k1 > 3)) throw Invalid("k1 must be between 0 and 3.", "k1은 0에서 3 사이여야 합니다.");
        if (run.B is { } b && (float.IsNaN(b) || b < 0 || b > 1)) throw Invalid("b must be between 0 and 1.", "b는 0에서 1 사이여야 합니다.");
        if (!float.IsFinite(run.RetrieverWeight) || run.RetrieverWeight < 0) throw Invalid("The retriever weight must be 0 or more.", "검색기 가중치는 0 이상이어야 합니다.");
        CheckDescription(description);

        // Another team's model is refused by name, before anything is asked of the reader.
        if (!TeamModelService.MayRun(caller, run.Model.Trim()))
            throw new LeaderboardException(LeaderboardError.PermissionDenied,
                $"Model \"{run.Model.Trim()}\" belongs to another team; run a shared model or one of your team's own.",
                $"모델 \"{run.Model.Trim()}\"은(는) 다른 팀의 모델입니다. 공용 모델이나 우리 팀이 올린 모델을 고르세요.");
        IReadOnlyList<ModelChoice> models;
        try
        {
            models = await ListModelsAsync(caller, cancellationToken);
        }
        catch (ServiceUnavailableException e)
        {
            throw new LeaderboardException(LeaderboardError.Unavailable, "The reader service is not reachable: " + e.Message,
                "리더 서비스에 연결할 수 없습니다: " + e.Message);
        }
        var model = PipelineClient.Resolve(models, run.Model.Trim(), run.Version?.Trim());

        var submission = await InsertAsync(teamId, setName, description, (set, db) => Task.FromResult(new SubmissionRecord
        {
            Kind = SubmissionKind.ModelRun,
            Model = model.Name,
            Version = model.Version,
            TopK = topK,
            K1 = run.K1,
            B = run.B,
            ReadMode = run.ReadMode,
            RetrieverWeight = run.RetrieverWeight,
            Status = SubmissionStatus.Queued,
            Total = set.QuestionCount,
        }), cancellationToken);
        queue.Enqueue(submission.Id);
        return submission;
    }

    /// <summary>Scores a predictions file at once: predictions and scores are stored together, or nothing is.</summary>
    public async Task<SubmissionView> SubmitPredictionsAsync(
        Caller caller, string setName, Stream json, string? modelLabel, string? description, CancellationToken cancellationToken = default)
    {
        long teamId = RequireTeam(caller);
        CheckDescription(description);
        using var slot = uploads.Enter("predictions.json");
        var bytes = await Uploads.ReadLimitedAsync(json, Options.MaxUploadBytes, "predictions.json", cancellationToken);
        IReadOnlyDictionary<string, string> answers;
        try
        {
            answers = PredictionsJson.Parse(bytes, "predictions.json");
        }
        catch (DataFormatException e)
        {
            throw Invalid(e.Message);
        }
        string label = string.IsNullOrWhiteSpace(modelLabel) ? "predictions" : modelLabel.Trim();
        if (label.Length > 200) throw Invalid("The model label is longer than 200 characters.", "모델 이름표가 200자보다 깁니다.");

        return await InsertAsync(teamId, setName, description, async (set, db) =>
        {
            var questions = await db.Questions.Where(q => q.EvaluationSetId == set.Id).OrderBy(q => q.Ordinal).ToListAsync(cancellationToken);
            var known = questions.Select(q => q.QuestionId).ToHashSet(StringComparer.Ordinal);
            var unknown = answers.Keys.Where(id => !known.Contains(id)).ToList();
            if (unknown.Count > 0)
            {
                string sample = string.Join(", ", unknown.Take(5).Select(id => $"\"{id}\"")) + (unknown.Count > 5 ? ", …" : "") + ".";
                throw Invalid($"predictions.json: {unknown.Count} id(s) are not in evaluation set \"{set.Name}\": " + sample,
                    $"predictions.json: id {unknown.Count}개가 평가 세트 \"{set.Name}\"에 없습니다: " + sample);
            }

            var now = clock.GetUtcNow().UtcDateTime;
            var submission = new SubmissionRecord
            {
                Kind = SubmissionKind.PredictionsFile,
                Model = label,
                Version = "",
                Status = SubmissionStatus.Succeeded,
                StartedAt = now,
                FinishedAt = now,
                Total = questions.Count,
                Completed = questions.Count(q => answers.ContainsKey(q.QuestionId)),
            };
            Scoring.Apply(submission, Scoring.ScoreSubmission(questions, answers));
            foreach (var question in questions)
            {
                if (!answers.TryGetValue(question.QuestionId, out var answer)) continue;
                var (em, f1) = Scoring.ScoreQuestion(answer, Scoring.GoldAnswers(question));
                db.Predictions.Add(new Prediction
                {
                    Submission = submission, QuestionRowId = question.Id, Answer = answer, ExactMatch = em, F1 = f1, CreatedAt = now,
                });
            }
            return submission;
        }, cancellationToken);
    }

    async Task<SubmissionView> InsertAsync(
        long teamId, string setName, string? description,
        Func<EvaluationSet, LeaderboardDbContext, Task<SubmissionRecord>> create, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // The count and the insert it guards run under the team's lock, held by the database until the
        // commit, so that instances sharing the database cannot together exceed the limit.
        await using (var transaction = await DailyLimitLock.TakeAsync(db, teamId, cancellationToken))
        {
            var set = await FindSetAsync(db, setName, cancellationToken);
            Phases.EnsureOpen(set, clock.GetUtcNow().UtcDateTime);
            var team = await db.Teams.FindAsync([teamId], cancellationToken)
                ?? throw new LeaderboardException(LeaderboardError.Unauthenticated, "The team of this token no longer exists.", "이 토큰의 팀이 더 이상 없습니다.");

            var dayStart = clock.GetUtcNow().UtcDateTime.Date;
            int today = await db.Submissions.CountAsync(
                s => s.TeamId == teamId && s.SubmittedAt >= dayStart && s.Status != SubmissionStatus.Failed, cancellationToken);
            if (today >= Options.DailySubmissionLimit)
                throw new LeaderboardException(LeaderboardError.ResourceExhausted,
                    $"Team \"{team.Name}\" has used its {Options.DailySubmissionLimit} submissions for today (UTC); failed runs do not count.",
                    $"팀 \"{team.Name}\"은(는) 오늘(UTC) 제출 {Options.DailySubmissionLimit}회를 모두 썼습니다. 실패한 실행은 세지 않습니다.");

            var submission = await create(set, db);
            submission.TeamId = teamId;
            submission.EvaluationSetId = set.Id;
            submission.Description = (description ?? "").Trim();
            submission.SubmittedAt = clock.GetUtcNow().UtcDateTime;
            db.Submissions.Add(submission);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return SubmissionView.From(submission, team.Name, set, Caller.ForTeam(teamId, team.Name), publicRetrievalHits: 0);
        }
    }

    /// <summary>One submission. Teams may read only their own.</summary>
    public async Task<SubmissionView> GetAsync(Caller caller, long submissionId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var submission = await LoadAsync(db, submissionId, cancellationToken);
        Authorize(caller, submission);
        var publicHits = await PublicRetrievalHitsAsync(db, [submission], caller, cancellationToken);
        return SubmissionView.From(submission, submission.Team!.Name, submission.EvaluationSet!, caller, publicHits.GetValueOrDefault(submission.Id));
    }

    /// <summary>Mean EM/F1 over the public questions predicted so far (null before the first one).</summary>
    public async Task<ScoreSummary?> PublicScoresSoFarAsync(Caller caller, long submissionId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var submission = await LoadAsync(db, submissionId, cancellationToken);
        Authorize(caller, submission);
        var scores = await db.Predictions.Where(p => p.SubmissionId == submissionId && !p.Question!.IsPrivate)
            .Select(p => new { p.ExactMatch, p.F1 }).ToListAsync(cancellationToken);
        return scores.Count == 0 ? null : new ScoreSummary(scores.Average(p => p.ExactMatch), scores.Average(p => p.F1), scores.Count, 0);
    }

    /// <summary>The caller's own submissions (all of them for the admin), newest first.</summary>
    public async Task<IReadOnlyList<SubmissionView>> ListMineAsync(Caller caller, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.Submissions.AsNoTracking().Include(s => s.Team).Include(s => s.EvaluationSet).AsQueryable();
        if (!caller.IsAdmin) query = query.Where(s => s.TeamId == caller.TeamId);
        var rows = await query.OrderByDescending(s => s.Id).Take(500).ToListAsync(cancellationToken);
        var publicHits = await PublicRetrievalHitsAsync(db, rows, caller, cancellationToken);
        return rows.Select(s => SubmissionView.From(s, s.Team!.Name, s.EvaluationSet!, caller, publicHits.GetValueOrDefault(s.Id))).ToList();
    }

    /// <summary>Cancels a queued or running submission; predictions so far are kept.</summary>
    public async Task<SubmissionView> CancelAsync(Caller caller, long submissionId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var submission = await LoadAsync(db, submissionId, cancellationToken);
        Authorize(caller, submission);
        var now = clock.GetUtcNow().UtcDateTime;
        int changed = await db.Submissions
            .Where(s => s.Id == submissionId && (s.Status == SubmissionStatus.Queued || s.Status == SubmissionStatus.Running))
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, SubmissionStatus.Cancelled).SetProperty(x => x.FinishedAt, now), cancellationToken);
        if (changed == 0)
        {
            var status = await db.Submissions.Where(s => s.Id == submissionId).Select(s => s.Status).FirstAsync(cancellationToken);
            throw new LeaderboardException(LeaderboardError.FailedPrecondition,
                $"Submission {submissionId} is {status.ToString().ToLowerInvariant()} and can no longer be cancelled.",
                $"제출 {submissionId}은(는) 이미 끝나 취소할 수 없습니다 (상태: {status.ToString().ToLowerInvariant()}).");
        }
        runningJobs.Cancel(submissionId);
        progress.Publish(new ProgressEvent(submissionId, SubmissionStatus.Cancelled, submission.Completed, submission.Total, ""));
        return await GetAsync(caller, submissionId, cancellationToken);
    }

    /// <summary>
    /// Per-question rows of a submission: only for its own team (and the admin). Before the reveal a
    /// team gets public questions only.
    /// </summary>
    public async Task<PredictionPage> ListPredictionsAsync(
        Caller caller, long submissionId, int offset, int pageSize, PredictionFilter filter, CancellationToken cancellationToken = default)
    {
        if (pageSize is < 1 or > 500) throw Invalid("The page size must be between 1 and 500.");
        if (offset < 0) throw Invalid("The page token is not valid.");
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var submission = await LoadAsync(db, submissionId, cancellationToken);
        Authorize(caller, submission);
        bool showPrivate = caller.CanSeePrivate(submission.EvaluationSet!.PrivateRevealed);

        var query = db.Predictions.AsNoTracking().Include(p => p.Question).Where(p => p.SubmissionId == submissionId);
        if (!showPrivate) query = query.Where(p => !p.Question!.IsPrivate);
        query = filter switch
        {
            PredictionFilter.Wrong => query.Where(p => p.ExactMatch < 100),
            PredictionFilter.RetrievalMiss => query.Where(p => p.ExactMatch < 100 && p.RetrievalHit == false),
            PredictionFilter.ReaderMiss => query.Where(p => p.ExactMatch < 100 && p.RetrievalHit == true),
            _ => query,
        };
        int total = await query.CountAsync(cancellationToken);
        var rows = await query.OrderBy(p => p.Question!.Ordinal).Skip(offset).Take(pageSize).ToListAsync(cancellationToken);
        return new PredictionPage(rows.Select(p => new PredictionView(
            p.Question!.QuestionId, p.Question.Text, p.Answer, Scoring.GoldAnswers(p.Question), false,
            p.ExactMatch, p.F1, p.RetrievalHit, p.RetrievalRule, p.Question.IsPrivate, p.NBestJson, p.Problem)).ToList(), total, !showPrivate);
    }

    /// <summary>
    /// The leaderboard. Before the reveal: the best public submission per team and model version, by
    /// public EM then F1. After it: one line per team, its best final submission by private EM then F1
    /// (<see cref="FinalSelection"/>). Baselines the admin pinned are listed apart, unranked. Anyone may
    /// read it; private columns follow the viewer's rights.
    /// </summary>
    public async Task<LeaderboardView> GetLeaderboardAsync(Caller? viewer, string setName, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var set = await FindSetAsync(db, setName, cancellationToken);
        var succeeded = await db.Submissions.AsNoTracking().Include(s => s.Team)
            .Where(s => s.EvaluationSetId == set.Id && s.Status == SubmissionStatus.Succeeded)
            .OrderBy(s => s.SubmittedAt).ThenBy(s => s.Id)
            .ToListAsync(cancellationToken);
        foreach (var s in succeeded) s.EvaluationSet = set;

        bool byPrivate = set.PrivateRevealed;
        (double, double) Key(SubmissionRecord s) => byPrivate
            ? (s.PrivateExactMatch ?? s.PublicExactMatch ?? 0, s.PrivateF1 ?? s.PublicF1 ?? 0)
            : (s.PublicExactMatch ?? 0, s.PublicF1 ?? 0);
        (double, double) PublicKey(SubmissionRecord s) => (s.PublicExactMatch ?? 0, s.PublicF1 ?? 0);

        var ranked = succeeded.Where(s => !s.IsBaseline).ToList();
        var counts = ranked.GroupBy(s => s.TeamId).ToDictionary(g => g.Key, g => g.Count());
        var lines = byPrivate
            ? FinalSelection.PrivateRanking(ranked, set.FinalSubmissionLimit)
                .Select(line => (line.Best, Count: counts[line.Best.TeamId])).ToList()
            : ranked.GroupBy(s => (s.TeamId, s.Model, s.Version))
                .Select(g => (Best: g.OrderByDescending(PublicKey).ThenBy(s => s.Id).First(), Count: g.Count()))
                .OrderByDescending(g => PublicKey(g.Best)).ThenBy(g => g.Best.SubmittedAt)
                .ToList();
        var baselines = succeeded.Where(s => s.IsBaseline).OrderByDescending(Key).ThenBy(s => s.Id).ToList();
        var publicHits = await PublicRetrievalHitsAsync(db, [.. lines.Select(g => g.Best), .. baselines], viewer, cancellationToken);
        SubmissionView View(SubmissionRecord s) => SubmissionView.From(s, s.Team!.Name, set, viewer, publicHits.GetValueOrDefault(s.Id));
        var rows = lines.Select((g, i) => new LeaderboardRow(i + 1, g.Best.Team!.Name, g.Best.Model, g.Best.Version, g.Count, View(g.Best))).ToList();
        var baselineRows = baselines.Select(s => new LeaderboardRow(0, s.Team!.Name, s.Model, s.Version, 1, View(s))).ToList();
        var chart = ranked.Select(s => new ChartPoint(
            s.Id, s.Team!.Name, s.Model, s.Version, s.SubmittedAt, Key(s).Item1, Key(s).Item2)).ToList();
        return new LeaderboardView(EvaluationSetService.ToInfo(set), byPrivate, rows, chart) { Baselines = baselineRows };
    }

    /// <summary>Model versions the reader serves that <paramref name="caller"/> may run: the shared ones and its team's own.</summary>
    public async Task<IReadOnlyList<ModelChoice>> ListModelsAsync(Caller? caller, CancellationToken cancellationToken = default) =>
        [.. (await pipeline.ListModelsAsync(cancellationToken)).Where(m => TeamModelService.MayRun(caller, m.Name))];

    /// <summary>
    /// Retrieval hits among the public questions of those model runs whose private split the viewer
    /// does not see (one query for all of them); the others need none. Submissions come with their set.
    /// </summary>
    internal static async Task<Dictionary<long, int>> PublicRetrievalHitsAsync(
        LeaderboardDbContext db, IReadOnlyList<SubmissionRecord> submissions, Caller? viewer, CancellationToken cancellationToken)
    {
        var ids = submissions.Where(s => s.RetrievalRecall is not null && !SubmissionView.ShowsPrivate(s.EvaluationSet!, viewer))
            .Select(s => s.Id).ToList();
        if (ids.Count == 0) return [];
        var hits = await db.Predictions
            .Where(p => ids.Contains(p.SubmissionId) && p.RetrievalHit == true && !p.Question!.IsPrivate)
            .GroupBy(p => p.SubmissionId).Select(g => new { g.Key, Hits = g.Count() })
            .ToListAsync(cancellationToken);
        return hits.ToDictionary(h => h.Key, h => h.Hits); // a run with no public hit has no row: 0
    }

    static async Task<EvaluationSet> FindSetAsync(LeaderboardDbContext db, string setName, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(setName)) throw Invalid("Name the evaluation set.", "평가 세트를 고르세요.");
        return await db.EvaluationSets.AsNoTracking().FirstOrDefaultAsync(s => s.Name == setName, cancellationToken)
            ?? throw new LeaderboardException(LeaderboardError.NotFound, $"Evaluation set \"{setName}\" does not exist.", $"평가 세트 \"{setName}\"이(가) 없습니다.");
    }

    static async Task<SubmissionRecord> LoadAsync(LeaderboardDbContext db, long submissionId, CancellationToken cancellationToken) =>
        await db.Submissions.AsNoTracking().Include(s => s.Team).Include(s => s.EvaluationSet)
            .FirstOrDefaultAsync(s => s.Id == submissionId, cancellationToken)
        ?? throw new LeaderboardException(LeaderboardError.NotFound, $"Submission {submissionId} does not exist.", $"제출 {submissionId}이(가) 없습니다.");

    static void Authorize(Caller caller, SubmissionRecord submission)
    {
        if (!caller.CanSeeDetails(submission.TeamId))
            throw new LeaderboardException(LeaderboardError.PermissionDenied, $"Submission {submission.Id} belongs to another team.",
                $"제출 {submission.Id}은(는) 다른 팀의 제출입니다.");
    }

    static long RequireTeam(Caller caller) => caller.TeamId
        ?? throw new LeaderboardException(LeaderboardError.PermissionDenied, "Only teams submit; sign in with a team token.",
            "팀만 제출할 수 있습니다. 팀 토큰으로 로그인하세요.");

    static void CheckDescription(string? description)
    {
        if (description is { Length: > 2000 }) throw Invalid("The description is longer than 2,000 characters.", "설명이 2,000자보다 깁니다.");
    }

    static LeaderboardException Invalid(string message, string? korean = null) => new(LeaderboardError.InvalidArgument, message, korean);
}
