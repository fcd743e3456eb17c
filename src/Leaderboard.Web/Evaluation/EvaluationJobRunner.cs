using System.Data.Common;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Mrc.Clients;
using Mrc.Core.Data;
using Mrc.Core.Pipeline;
using Mrc.Leaderboard.Data;

namespace Mrc.Leaderboard.Evaluation;

/// <summary>
/// One model run: the questions not yet predicted go through the one <see cref="OdqaPipeline"/> over
/// gRPC (Retriever.RetrieveBatch, Reader.Read); each prediction is stored the moment it arrives (a unique index on submission and
/// question makes a repeat impossible); at the end the scores are computed from what was stored.
/// The worker has claimed the run (<see cref="JobLeases"/>); the runner renews the lease while it runs,
/// stops when the lease is lost or cannot be renewed before it expires, and every write that changes
/// the submission's row is conditional on this instance still holding the lease.
/// </summary>
public sealed class EvaluationJobRunner(
    IDbContextFactory<LeaderboardDbContext> dbFactory,
    DatabaseRetry database,
    JobLeases leases,
    PipelineClient pipeline,
    ProgressHub progress,
    RunningJobs runningJobs,
    TimeProvider clock,
    ILogger<EvaluationJobRunner> logger)
{
    /// <summary>
    /// Runs (or resumes) a submission this instance has claimed. Throws OperationCanceledException when
    /// the host stops, and the database's exception when it stayed unreachable through
    /// <see cref="DatabaseRetry"/>: the job then stays queued or running, and whichever instance claims it
    /// next (once its lease is given back or lapses) resumes it.
    /// </summary>
    public async Task RunAsync(long submissionId, CancellationToken stoppingToken)
    {
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        runningJobs.Register(submissionId, cancellation);
        var lease = new LeaseState();
        var keeper = KeepLeaseAsync(submissionId, cancellation, lease);
        try
        {
            await RunCoreAsync(submissionId, lease, cancellation.Token, stoppingToken);
        }
        finally
        {
            runningJobs.Unregister(submissionId);
            await cancellation.CancelAsync();
            await keeper;
            if (!lease.Lost) await ReleaseQuietlyAsync(submissionId);
        }
    }

    /// <summary>Why the lease keeper stopped the job; read after the job's token was cancelled.</summary>
    sealed class LeaseState
    {
        public volatile bool Lost;
    }

    /// <summary>
    /// Renews the lease every <see cref="JobLeases.RenewInterval"/> until the job ends. Stops the job when
    /// the run was cancelled (on any instance), when another instance holds it, or when the database
    /// stayed away so long that the lease would expire before the next try: from then on another
    /// instance may take the run, so this one must no longer run it.
    /// </summary>
    async Task KeepLeaseAsync(long submissionId, CancellationTokenSource job, LeaseState state)
    {
        var validUntil = clock.GetUtcNow() + leases.Duration;
        try
        {
            while (true)
            {
                await Task.Delay(leases.RenewInterval, clock, job.Token);
                try
                {
                    var (outcome, until) = await leases.RenewAsync(submissionId, job.Token);
                    if (outcome == LeaseRenewal.Renewed)
                    {
                        validUntil = until;
                        continue;
                    }
                    if (outcome == LeaseRenewal.Lost)
                    {
                        state.Lost = true;
                        Log.LeaseLost(logger, submissionId);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    if (clock.GetUtcNow() + leases.RenewInterval < validUntil) continue; // another try fits in the lease
                    state.Lost = true;
                    Log.LeaseExpired(logger, submissionId, e.GetBaseException().Message);
                }
                await job.CancelAsync();
                return;
            }
        }
        catch (OperationCanceledException)
        {
            // The job ended (or the host stops).
        }
    }

    /// <summary>Gives the lease back so that any instance may resume at once; a failure leaves it to expire.</summary>
    async Task ReleaseQuietlyAsync(long submissionId)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await leases.ReleaseAsync(submissionId, timeout.Token);
        }
        catch (Exception e) when (e is OperationCanceledException || DatabaseRetry.IsTransient(e) || e is DbException)
        {
            // The lease expires on its own.
        }
    }

    async Task RunCoreAsync(long submissionId, LeaseState lease, CancellationToken jobToken, CancellationToken stoppingToken)
    {
        var start = await database.RunAsync("starting the job", ct => StartAsync(submissionId, ct), stoppingToken);
        if (start is null) return;
        var (run, retrieverIndex, todo) = start.Value;
        var completed = run.Completed;
        if (completed > 0)
            Log.ResumingJob(logger, submissionId, completed, run.Total);
        progress.Publish(new ProgressEvent(submissionId, SubmissionStatus.Running, completed, run.Total, ""));

        var writeGate = new SemaphoreSlim(1, 1);
        try
        {
            var (odqa, settings) = pipeline.For(run, retrieverIndex);
            await odqa.RunAsync([.. todo.Select(ToExample)], settings, async (outcome, _) =>
            {
                var prediction = ToPrediction(submissionId, outcome);
                await writeGate.WaitAsync(stoppingToken);
                try
                {
                    if (await database.RunAsync("storing a prediction", ct => StoreAsync(prediction, ct), stoppingToken)) completed++;
                    await database.RunAsync("counting predictions", ct => SetCompletedAsync(submissionId, completed, ct), stoppingToken);
                    progress.Publish(new ProgressEvent(submissionId, SubmissionStatus.Running, completed, run.Total, ""));
                }
                finally
                {
                    writeGate.Release();
                }
            }, jobToken);
            await database.RunAsync("scoring", ct => FinishAsync(submissionId, ct), stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            throw; // the host is stopping: stay Running; the released lease lets any instance resume it
        }
        catch (OperationCanceledException) when (lease.Lost)
        {
            // Another instance runs it now (or may): nothing more to write here.
        }
        catch (OperationCanceledException)
        {
            Log.Cancelled(logger, submissionId, completed);
            progress.Publish(new ProgressEvent(submissionId, SubmissionStatus.Cancelled, completed, run.Total, ""));
        }
        catch (Exception e) when (e is not OperationCanceledException && !DatabaseRetry.IsTransient(e))
        {
            // A service that stayed away, or a refusal no retry mends (a broken configuration), ends this
            // job with the reason; predictions are kept. A busy database ends nothing: it goes up to the worker.
            string reason = e switch
            {
                IndexNotServedException missing =>
                    $"The retriever does not serve index \"{missing.Index}\", which this evaluation set is read against: {missing.Message}",
                RpcException rpc => $"{rpc.StatusCode}: {rpc.Status.Detail}",
                _ => e.Message,
            };
            await database.RunAsync("recording the failure",
                ct => FailAsync(submissionId, completed, run.Total, FailureText.ForTeams(reason), ct), stoppingToken);
        }
    }

    /// <summary>
    /// Marks the submission running and reads the questions it has not answered yet and the retriever
    /// index its set is read against (null: the default); null when it is not to run.
    /// </summary>
    async Task<(SubmissionRecord Run, string? RetrieverIndex, List<EvaluationQuestion> Todo)?> StartAsync(long submissionId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var run = await db.Submissions.FirstOrDefaultAsync(s => s.Id == submissionId, cancellationToken);
        if (run is null || run.Kind != SubmissionKind.ModelRun
            || run.Status is not (SubmissionStatus.Queued or SubmissionStatus.Running)) return null;
        var retrieverIndex = await db.EvaluationSets.Where(s => s.Id == run.EvaluationSetId)
            .Select(s => s.RetrieverIndex).FirstOrDefaultAsync(cancellationToken);
        var completed = await db.Predictions.CountAsync(p => p.SubmissionId == submissionId, cancellationToken);
        var todo = await db.Questions.AsNoTracking()
            .Where(q => q.EvaluationSetId == run.EvaluationSetId
                        && !db.Predictions.Any(p => p.SubmissionId == submissionId && p.QuestionRowId == q.Id))
            .OrderBy(q => q.Ordinal).ToListAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        string owner = leases.Owner;
        int started = await db.Submissions
            .Where(s => s.Id == submissionId && s.LeaseOwner == owner
                        && (s.Status == SubmissionStatus.Queued || s.Status == SubmissionStatus.Running))
            .ExecuteUpdateAsync(s => s
                .SetProperty(x => x.Status, SubmissionStatus.Running)
                .SetProperty(x => x.StartedAt, x => x.StartedAt ?? now)
                .SetProperty(x => x.Completed, completed), cancellationToken);
        if (started == 0) return null;
        run.Completed = completed;
        return (run, retrieverIndex, todo);
    }

    /// <summary>A stored question as the pipeline takes it; its row id is its id here.</summary>
    static QuestionExample ToExample(EvaluationQuestion question) =>
        new(question.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), question.Text,
            GoldAnswersJson.Parse(question.AnswersJson), question.Context, question.Title);

    Prediction ToPrediction(long submissionId, QuestionOutcome outcome) => new()
    {
        SubmissionId = submissionId,
        QuestionRowId = long.Parse(outcome.Question.Id, System.Globalization.CultureInfo.InvariantCulture),
        Answer = outcome.Answer,
        NBestJson = NBestJson.Serialize(outcome.Reading.Answers),
        ExactMatch = outcome.ExactMatch,
        F1 = outcome.F1,
        RetrievalHit = outcome.RetrievalHit,
        RetrievalRule = outcome.RetrievalRule,
        Problem = outcome.Problem is { } problem ? FailureText.ForTeams(problem) : null,
        CreatedAt = clock.GetUtcNow().UtcDateTime,
    };

    /// <summary>Stores one prediction; false when it was already there (the unique index refused it).</summary>
    async Task<bool> StoreAsync(Prediction prediction, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.Predictions.Add(prediction);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException)
        {
            await using var check = await dbFactory.CreateDbContextAsync(cancellationToken);
            if (await check.Predictions.AnyAsync(
                    p => p.SubmissionId == prediction.SubmissionId && p.QuestionRowId == prediction.QuestionRowId, cancellationToken))
                return false;
            throw;
        }
    }

    async Task SetCompletedAsync(long submissionId, int completed, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        string owner = leases.Owner;
        await db.Submissions.Where(s => s.Id == submissionId && s.LeaseOwner == owner)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Completed, completed), cancellationToken);
    }

    async Task FinishAsync(long submissionId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var submission = await db.Submissions.AsNoTracking().FirstAsync(s => s.Id == submissionId, cancellationToken);
        if (submission.Status != SubmissionStatus.Running) return; // cancelled meanwhile
        var questions = await db.Questions.AsNoTracking()
            .Where(q => q.EvaluationSetId == submission.EvaluationSetId).OrderBy(q => q.Ordinal).ToListAsync(cancellationToken);
        var predictions = await db.Predictions.AsNoTracking().Where(p => p.SubmissionId == submissionId)
            .Select(p => new { p.QuestionRowId, p.Answer, p.RetrievalHit }).ToListAsync(cancellationToken);
        var byRow = predictions.ToDictionary(p => p.QuestionRowId);
        var answers = questions.Where(q => byRow.ContainsKey(q.Id)).ToDictionary(q => q.QuestionId, q => byRow[q.Id].Answer, StringComparer.Ordinal);

        var scores = Scoring.ScoreSubmission(questions, answers);
        double? recall = questions.Count == 0 ? null : (double)predictions.Count(p => p.RetrievalHit == true) / questions.Count;
        var now = clock.GetUtcNow().UtcDateTime;
        // Conditional on Running, so a cancel that lands meanwhile is not overwritten, and on the lease.
        string owner = leases.Owner;
        int finished = await db.Submissions.Where(s => s.Id == submissionId && s.Status == SubmissionStatus.Running && s.LeaseOwner == owner)
            .ExecuteUpdateAsync(s => s
                .SetProperty(x => x.Status, SubmissionStatus.Succeeded)
                .SetProperty(x => x.LeaseOwner, (string?)null)
                .SetProperty(x => x.LeaseExpiresAt, (DateTime?)null)
                .SetProperty(x => x.FinishedAt, now)
                .SetProperty(x => x.Completed, predictions.Count)
                .SetProperty(x => x.RetrievalRecall, recall)
                .SetProperty(x => x.AllExactMatch, scores.All.ExactMatch)
                .SetProperty(x => x.AllF1, scores.All.F1)
                .SetProperty(x => x.PublicExactMatch, scores.Public == null ? null : scores.Public.ExactMatch)
                .SetProperty(x => x.PublicF1, scores.Public == null ? null : scores.Public.F1)
                .SetProperty(x => x.PublicQuestionCount, scores.Public == null ? 0 : scores.Public.QuestionCount)
                .SetProperty(x => x.PublicUnanswered, scores.Public == null ? 0 : scores.Public.UnansweredCount)
                .SetProperty(x => x.PrivateExactMatch, scores.Private == null ? null : scores.Private.ExactMatch)
                .SetProperty(x => x.PrivateF1, scores.Private == null ? null : scores.Private.F1)
                .SetProperty(x => x.PrivateQuestionCount, scores.Private == null ? 0 : scores.Private.QuestionCount)
                .SetProperty(x => x.PrivateUnanswered, scores.Private == null ? 0 : scores.Private.UnansweredCount),
                cancellationToken);
        if (finished == 0) return;
        submission.Completed = predictions.Count;
        Scoring.Apply(submission, scores);
        Log.Succeeded(logger, submissionId, submission.AllExactMatch ?? 0, submission.AllF1 ?? 0);
        progress.Publish(new ProgressEvent(submissionId, SubmissionStatus.Succeeded, submission.Completed, submission.Total, ""));
    }

    async Task FailAsync(long submissionId, int completed, int total, string reason, CancellationToken cancellationToken)
    {
        Log.Failed(logger, submissionId, completed, reason);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        string owner = leases.Owner;
        await db.Submissions.Where(s => s.Id == submissionId && s.Status == SubmissionStatus.Running && s.LeaseOwner == owner)
            .ExecuteUpdateAsync(s => s
                .SetProperty(x => x.Status, SubmissionStatus.Failed)
                .SetProperty(x => x.LeaseOwner, (string?)null)
                .SetProperty(x => x.LeaseExpiresAt, (DateTime?)null)
                .SetProperty(x => x.Error, reason)
                .SetProperty(x => x.FinishedAt, now)
                .SetProperty(x => x.Completed, completed), cancellationToken);
        progress.Publish(new ProgressEvent(submissionId, SubmissionStatus.Failed, completed, total, reason));
    }
}
