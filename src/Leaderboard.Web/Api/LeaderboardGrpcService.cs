using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Mrc.Leaderboard.Data;
using Mrc.Leaderboard.Domain;
using Mrc.Leaderboard.Evaluation;
using Mrc.Contracts.V1;
using static Mrc.Leaderboard.Api.AuthInterceptor;

namespace Mrc.Leaderboard.Api;

/// <summary>mrc.v1.Leaderboard: maps requests onto the domain services and back. Auth and errors live in <see cref="AuthInterceptor"/>.</summary>
public sealed partial class LeaderboardGrpcService(
    SubmissionService submissions,
    FinalSubmissionService finals,
    ComparisonService comparisons,
    EvaluationSetService sets,
    ProgressHub progress,
    TeamModelService teamModels) : Mrc.Contracts.V1.Leaderboard.LeaderboardBase
{
    static readonly TimeSpan WatchPoll = TimeSpan.FromSeconds(2);
    // Progress messages are sent at most four times a second.
    static readonly TimeSpan MinimumWatchInterval = TimeSpan.FromMilliseconds(250);

    public override async Task<Mrc.Contracts.V1.Submission> Submit(SubmitRequest request, ServerCallContext context)
    {
        var caller = CallerOf(context);
        SubmissionView view = request.PayloadCase switch
        {
            SubmitRequest.PayloadOneofCase.ModelRun => await submissions.SubmitModelRunAsync(
                caller, request.EvaluationSet, ToRun(request.ModelRun), request.Description, context.CancellationToken),
            SubmitRequest.PayloadOneofCase.Predictions => await submissions.SubmitPredictionsAsync(
                caller, request.EvaluationSet, Uploads.Over(request.Predictions.Json.Memory),
                request.Predictions.ModelLabel, request.Description, context.CancellationToken),
            _ => throw new RpcException(new Status(StatusCode.InvalidArgument, "Set either model_run or predictions.")),
        };
        return ToMessage(view);
    }

    public override async Task<Mrc.Contracts.V1.Submission> GetSubmission(GetSubmissionRequest request, ServerCallContext context) =>
        ToMessage(await submissions.GetAsync(CallerOf(context), request.SubmissionId, context.CancellationToken));

    public override async Task<Mrc.Contracts.V1.Submission> CancelSubmission(CancelSubmissionRequest request, ServerCallContext context) =>
        ToMessage(await submissions.CancelAsync(CallerOf(context), request.SubmissionId, context.CancellationToken));

    public override async Task WatchSubmission(
        WatchSubmissionRequest request, IServerStreamWriter<SubmissionProgress> responseStream, ServerCallContext context)
    {
        var caller = CallerOf(context);
        var token = context.CancellationToken;
        // Authorized first (NotFound, PermissionDenied): only a submission's own team may listen to it.
        await submissions.GetAsync(caller, request.SubmissionId, token);
        using var subscription = progress.Subscribe(request.SubmissionId);
        SubmissionProgress? last = null;
        while (true)
        {
            var view = await submissions.GetAsync(caller, request.SubmissionId, token);
            var message = new SubmissionProgress
            {
                SubmissionId = view.Id,
                State = ToState(view.Status),
                Completed = view.Completed,
                Total = view.Total,
                Error = view.Error,
            };
            var soFar = view.Public ?? await submissions.PublicScoresSoFarAsync(caller, view.Id, token);
            if (soFar is not null) message.PublicScoresSoFar = ToScores(soFar);
            if (!message.Equals(last))
            {
                await responseStream.WriteAsync(message, token);
                last = message;
            }
            if (view.IsFinal) return;
            await subscription.WaitAsync(WatchPoll, token);
            await Task.Delay(MinimumWatchInterval, token);
        }
    }

    public override async Task<ListPredictionsResponse> ListPredictions(ListPredictionsRequest request, ServerCallContext context)
    {
        int pageSize = request.PageSize == 0 ? 100 : request.PageSize;
        int offset = 0;
        if (request.PageToken.Length > 0 && !int.TryParse(request.PageToken, NumberStyles.None, CultureInfo.InvariantCulture, out offset))
            throw new RpcException(new Status(StatusCode.InvalidArgument, "The page token is not valid."));
        var page = await submissions.ListPredictionsAsync(CallerOf(context), request.SubmissionId, offset, pageSize,
            request.WrongOnly ? PredictionFilter.Wrong : PredictionFilter.All, context.CancellationToken);
        var response = new ListPredictionsResponse
        {
            NextPageToken = offset + page.Rows.Count < page.TotalRows
                ? (offset + page.Rows.Count).ToString(CultureInfo.InvariantCulture) : "",
        };
        foreach (var row in page.Rows)
        {
            var message = new PredictionRow
            {
                QuestionId = row.QuestionId,
                Question = row.Question,
                Prediction = row.Prediction,
                ExactMatch = row.ExactMatch,
                F1 = row.F1,
                IsPrivate = row.IsPrivate,
                Problem = row.Problem ?? "",
            };
            if (!row.GoldHidden) message.GoldAnswers.AddRange(row.GoldAnswers);
            if (row.RetrievalHit is { } hit) message.RetrievalHit = hit;
            response.Rows.Add(message);
        }
        return response;
    }

    public override async Task<ListEvaluationSetsResponse> ListEvaluationSets(ListEvaluationSetsRequest request, ServerCallContext context)
    {
        var response = new ListEvaluationSetsResponse();
        foreach (var set in await sets.ListAsync(context.CancellationToken)) response.EvaluationSets.Add(ToMessage(set));
        return response;
    }

    internal static Mrc.Contracts.V1.EvaluationSetInfo ToMessage(Domain.EvaluationSetInfo set)
    {
        var message = new Mrc.Contracts.V1.EvaluationSetInfo
        {
            Name = set.Name,
            QuestionCount = set.QuestionCount,
            PublicCount = set.PublicCount,
            PrivateCount = set.PrivateCount,
            PrivateRevealed = set.PrivateRevealed,
            CreatedAt = Timestamp.FromDateTime(set.CreatedAt),
            FinalSubmissionLimit = set.FinalSubmissionLimit,
            RetrieverIndex = set.RetrieverIndex ?? "",
        };
        if (set.OpensAt is { } opens) message.OpensAt = Timestamp.FromDateTime(opens);
        if (set.ClosesAt is { } closes) message.ClosesAt = Timestamp.FromDateTime(closes);
        return message;
    }

    public override async Task<FinalSubmissions> GetFinalSubmissions(GetFinalSubmissionsRequest request, ServerCallContext context) =>
        ToMessage(await finals.GetAsync(CallerOf(context), request.EvaluationSet, context.CancellationToken));

    public override async Task<FinalSubmissions> SetFinalSubmissions(SetFinalSubmissionsRequest request, ServerCallContext context) =>
        ToMessage(await finals.SetAsync(CallerOf(context), request.EvaluationSet, request.SubmissionIds, context.CancellationToken));

    public override async Task<SubmissionComparison> CompareSubmissions(CompareSubmissionsRequest request, ServerCallContext context)
    {
        var view = await comparisons.CompareAsync(CallerOf(context), request.SubmissionA, request.SubmissionB, context.CancellationToken);
        var message = new SubmissionComparison
        {
            A = ToMessage(view.A), B = ToMessage(view.B), QuestionCount = view.Questions,
            BothRight = view.BothRight, BothWrong = view.BothWrong, OnlyARight = view.OnlyARight, OnlyBRight = view.OnlyBRight,
        };
        foreach (var d in view.Differences)
        {
            var row = new Mrc.Contracts.V1.ComparedQuestion
            {
                QuestionId = d.QuestionId, Question = d.Question, IsPrivate = d.IsPrivate,
                AnswerA = d.AnswerA, F1A = d.F1A, AnswerB = d.AnswerB, F1B = d.F1B, RightIsA = d.RightIsA,
                Cause = d.Cause switch { Domain.MissCause.Retrieval => Mrc.Contracts.V1.MissCause.Retrieval, Domain.MissCause.Reading => Mrc.Contracts.V1.MissCause.Reading, _ => Mrc.Contracts.V1.MissCause.Unspecified },
            };
            row.GoldAnswers.AddRange(d.GoldAnswers);
            if (d.RetrievalHitA is { } hitA) row.RetrievalHitA = hitA;
            if (d.RetrievalHitB is { } hitB) row.RetrievalHitB = hitB;
            message.Differences.Add(row);
        }
        return message;
    }

    static FinalSubmissions ToMessage(FinalChoiceView view)
    {
        var message = new FinalSubmissions { EvaluationSet = view.EvaluationSet, Limit = view.Limit, Chosen = view.Chosen };
        if (view.ClosesAt is { } closes) message.ClosesAt = Timestamp.FromDateTime(closes);
        message.FinalSubmissionIds.AddRange(view.FinalIds);
        message.Candidates.AddRange(view.Candidates.Select(ToMessage));
        return message;
    }

    public override async Task<GetLeaderboardResponse> GetLeaderboard(GetLeaderboardRequest request, ServerCallContext context)
    {
        var board = await submissions.GetLeaderboardAsync(CallerOf(context), request.EvaluationSet, context.CancellationToken);
        var response = new GetLeaderboardResponse { PrivateRevealed = board.Set.PrivateRevealed };
        response.Entries.AddRange(board.Rows.Select(ToEntry));
        response.Baselines.AddRange(board.Baselines.Select(ToEntry));
        return response;
    }

    static LeaderboardEntry ToEntry(LeaderboardRow row) => new()
    {
        Rank = row.Rank, Team = row.Team, Model = row.Model, Version = row.Version, BestSubmission = ToMessage(row.Best),
        SubmissionCount = row.SubmissionCount,
    };

    static ModelRunRequest ToRun(ModelRun run) => new(
        run.Model, run.Version, run.TopK, run.HasK1 ? run.K1 : null, run.HasB ? run.B : null,
        run.ReadMode == ReadMode.Concat ? RunMode.Concat : RunMode.Separate, run.RetrieverWeight);

    internal static Mrc.Contracts.V1.Submission ToMessage(SubmissionView view)
    {
        var message = new Mrc.Contracts.V1.Submission
        {
            Id = view.Id,
            Team = view.Team,
            EvaluationSet = view.EvaluationSet,
            Description = view.Description,
            State = ToState(view.Status),
            Model = view.Model,
            Version = view.Version,
            SubmittedAt = Timestamp.FromDateTime(view.SubmittedAt),
            Completed = view.Completed,
            Total = view.Total,
            Error = view.Error,
            MarkedFinal = view.MarkedFinal,
            Baseline = view.IsBaseline,
        };
        if (view.FinishedAt is { } finished) message.FinishedAt = Timestamp.FromDateTime(finished);
        if (view.Public is { } publicScores) message.PublicScores = ToScores(publicScores);
        if (view.Private is { } privateScores) message.PrivateScores = ToScores(privateScores);
        if (view.RetrievalRecall is { } recall) message.RetrievalRecall = recall;
        return message;
    }

    static Scores ToScores(ScoreSummary s) => new()
    {
        ExactMatch = s.ExactMatch, F1 = s.F1, QuestionCount = s.QuestionCount, UnansweredCount = s.UnansweredCount,
    };

    static SubmissionState ToState(SubmissionStatus status) => status switch
    {
        SubmissionStatus.Queued => SubmissionState.Queued,
        SubmissionStatus.Running => SubmissionState.Running,
        SubmissionStatus.Succeeded => SubmissionState.Succeeded,
        SubmissionStatus.Failed => SubmissionState.Failed,
        SubmissionStatus.Cancelled => SubmissionState.Cancelled,
        _ => SubmissionState.Unspecified,
    };
}
