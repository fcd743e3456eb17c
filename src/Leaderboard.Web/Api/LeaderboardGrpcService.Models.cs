using Grpc.Core;
using Mrc.Contracts.V1;
using Mrc.Leaderboard.Domain;
using static Mrc.Leaderboard.Api.AuthInterceptor;

namespace Mrc.Leaderboard.Api;

/// <summary>The team-model calls of mrc.v1.Leaderboard: the list a team may run, and uploads through to the reader.</summary>
public sealed partial class LeaderboardGrpcService
{
    public override async Task<ListModelsResponse> ListModels(ListModelsRequest request, ServerCallContext context)
    {
        var response = new ListModelsResponse();
        foreach (var model in await submissions.ListModelsAsync(CallerOf(context), context.CancellationToken))
        {
            response.Models.Add(new ModelInfo
            {
                Name = model.Name,
                Version = model.Version,
                Architecture = model.Architecture,
                IsDefault = model.IsDefault,
                Description = model.Description,
                LoadError = model.LoadError,
                Team = TeamModelService.OwnerOf(model.Name) ?? "",
            });
        }
        return response;
    }

    public override Task<ModelUploadStatus> BeginModelUpload(BeginTeamModelUploadRequest request, ServerCallContext context) =>
        teamModels.BeginAsync(CallerOf(context), request.Model, request.Files, context.CancellationToken);

    public override Task<ModelUploadStatus> UploadModelChunks(IAsyncStreamReader<TeamModelChunk> requestStream, ServerCallContext context) =>
        teamModels.UploadAsync(CallerOf(context), requestStream.ReadAllAsync(context.CancellationToken), context.CancellationToken);

    public override Task<ModelUploadStatus> GetModelUpload(TeamModelUploadRequest request, ServerCallContext context) =>
        teamModels.StatusAsync(CallerOf(context), request.UploadId, context.CancellationToken);

    public override Task<CommitModelUploadResponse> CommitModelUpload(TeamModelUploadRequest request, ServerCallContext context) =>
        teamModels.CommitAsync(CallerOf(context), request.UploadId, context.CancellationToken);

    public override Task<ModelUploadStatus> AbortModelUpload(TeamModelUploadRequest request, ServerCallContext context) =>
        teamModels.AbortAsync(CallerOf(context), request.UploadId, context.CancellationToken);
}
