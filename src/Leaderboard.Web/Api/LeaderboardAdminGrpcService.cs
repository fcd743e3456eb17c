using System.Text;
using Google.Api;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Mrc.Contracts.V1;
using Mrc.Leaderboard.Domain;
using static Mrc.Leaderboard.Api.AuthInterceptor;

namespace Mrc.Leaderboard.Api;

/// <summary>
/// mrc.v1.LeaderboardAdmin: the admin's calls onto the domain services. Who may call is checked here
/// (the admin only); <see cref="AdminAuditInterceptor"/> records every call.
/// </summary>
public sealed class LeaderboardAdminGrpcService(
    EvaluationSetService sets,
    TeamService teams,
    SubmissionService submissions,
    BaselineService baselines,
    AuditLog audit) : LeaderboardAdmin.LeaderboardAdminBase
{
    public override async Task<Mrc.Contracts.V1.EvaluationSetInfo> CreateEvaluationSet(CreateEvaluationSetRequest request, ServerCallContext context)
    {
        RequireAdmin(context);
        var schedule = new SetSchedule(
            request.OpensAt?.ToDateTime(), request.ClosesAt?.ToDateTime(), request.FinalSubmissionLimit == 0 ? 2 : request.FinalSubmissionLimit);
        var set = await sets.RegisterAsync(request.Name, request.FileName, new MemoryStream(request.Content.ToByteArray()),
            request.HasPrivateShare ? request.PrivateShare : null, schedule, request.RetrieverIndex, context.CancellationToken);
        return LeaderboardGrpcService.ToMessage(set);
    }

    public override async Task<Mrc.Contracts.V1.EvaluationSetInfo> UpdateEvaluationSet(UpdateEvaluationSetRequest request, ServerCallContext context)
    {
        RequireAdmin(context);
        var set = await sets.GetAsync(request.Name, context.CancellationToken);
        if (request.ClearOpensAt && request.OpensAt is not null || request.ClearClosesAt && request.ClosesAt is not null)
            throw new RpcException(new Status(StatusCode.InvalidArgument, "Give a time or clear it, not both."));
        var schedule = new SetSchedule(
            request.ClearOpensAt ? null : request.OpensAt?.ToDateTime() ?? set.OpensAt,
            request.ClearClosesAt ? null : request.ClosesAt?.ToDateTime() ?? set.ClosesAt,
            request.FinalSubmissionLimit == 0 ? set.FinalSubmissionLimit : request.FinalSubmissionLimit);
        var index = request.HasRetrieverIndex ? request.RetrieverIndex : set.RetrieverIndex;
        return LeaderboardGrpcService.ToMessage(await sets.UpdateAsync(set.Id, schedule, index, context.CancellationToken));
    }

    public override async Task<Empty> DeleteEvaluationSet(DeleteEvaluationSetRequest request, ServerCallContext context)
    {
        RequireAdmin(context);
        var set = await sets.GetAsync(request.Name, context.CancellationToken);
        await sets.DeleteAsync(set.Id, request.Cascade, context.CancellationToken);
        return new Empty();
    }

    public override async Task<Mrc.Contracts.V1.EvaluationSetInfo> SetPrivateRevealed(SetPrivateRevealedRequest request, ServerCallContext context)
    {
        RequireAdmin(context);
        var set = await sets.GetAsync(request.Name, context.CancellationToken);
        await sets.SetPrivateRevealedAsync(set.Id, request.Revealed, context.CancellationToken);
        return LeaderboardGrpcService.ToMessage(await sets.GetAsync(request.Name, context.CancellationToken));
    }

    public override async Task<HttpBody> ExportLeaderboard(ExportLeaderboardRequest request, ServerCallContext context)
    {
        RequireAdmin(context);
        var board = await submissions.GetLeaderboardAsync(Caller.Admin, request.EvaluationSet, context.CancellationToken);
        return new HttpBody
        {
            ContentType = "text/csv; charset=utf-8",
            Data = ByteString.CopyFrom(Encoding.UTF8.GetBytes(LeaderboardCsv.Write(board, showPrivate: true))),
        };
    }

    public override async Task<ListTeamsResponse> ListTeams(ListTeamsRequest request, ServerCallContext context)
    {
        RequireAdmin(context);
        var response = new ListTeamsResponse();
        response.Teams.AddRange((await teams.ListAsync(context.CancellationToken)).Select(ToMessage));
        return response;
    }

    public override async Task<TeamToken> CreateTeam(CreateTeamRequest request, ServerCallContext context)
    {
        RequireAdmin(context);
        var (team, token) = await teams.CreateAsync(request.Name, cancellationToken: context.CancellationToken);
        return new TeamToken { Team = ToMessage(team), Token = token };
    }

    public override async Task<TeamToken> RotateTeamToken(RotateTeamTokenRequest request, ServerCallContext context)
    {
        RequireAdmin(context);
        long id = await teams.IdOfAsync(request.Name, context.CancellationToken);
        var token = await teams.RotateTokenAsync(id, context.CancellationToken);
        var team = (await teams.ListAsync(context.CancellationToken)).Single(t => t.Id == id);
        return new TeamToken { Team = ToMessage(team), Token = token };
    }

    public override async Task<Empty> DeleteTeam(DeleteTeamRequest request, ServerCallContext context)
    {
        RequireAdmin(context);
        long id = await teams.IdOfAsync(request.Name, context.CancellationToken);
        await teams.DeleteAsync(id, request.Cascade, context.CancellationToken);
        return new Empty();
    }

    public override async Task<Mrc.Contracts.V1.Submission> PinBaseline(PinBaselineRequest request, ServerCallContext context)
    {
        RequireAdmin(context);
        await baselines.PinAsync(request.SubmissionId, request.Pinned, context.CancellationToken);
        return LeaderboardGrpcService.ToMessage(await submissions.GetAsync(Caller.Admin, request.SubmissionId, context.CancellationToken));
    }

    public override async Task<ListAuditEntriesResponse> ListAuditEntries(ListAuditEntriesRequest request, ServerCallContext context)
    {
        RequireAdmin(context);
        var entries = await audit.ListAsync(request.PageSize == 0 ? 100 : request.PageSize,
            request.BeforeId == 0 ? null : request.BeforeId, context.CancellationToken);
        var response = new ListAuditEntriesResponse();
        response.Entries.AddRange(entries.Select(e => new Mrc.Contracts.V1.AuditRecord
        {
            Id = e.Id, At = Timestamp.FromDateTime(e.At), Actor = e.Actor, Action = e.Action, Target = e.Target, Outcome = e.Outcome,
        }));
        return response;
    }

    static void RequireAdmin(ServerCallContext context)
    {
        if (!CallerOf(context).IsAdmin)
            throw new LeaderboardException(LeaderboardError.PermissionDenied, "Only the administrator may call LeaderboardAdmin; use the admin secret.");
    }

    static Mrc.Contracts.V1.TeamDetails ToMessage(Domain.TeamInfo team)
    {
        var message = new Mrc.Contracts.V1.TeamDetails { Name = team.Name, CreatedAt = Timestamp.FromDateTime(team.CreatedAt) };
        if (team.TokenExpiresAt is { } expires) message.TokenExpiresAt = Timestamp.FromDateTime(expires);
        return message;
    }
}
