using Google.Protobuf;
using Grpc.Core;
using Mrc.Contracts.V1;
using Mrc.Reading.Uploads;
using MrcGrpc.ServiceDefaults.Grpc;

namespace Mrc.Reader.Grpc;

/// <summary>
/// <c>mrc.v1.ModelUploads</c>: maps requests onto <see cref="ModelUploadStore"/> and back. The secret is
/// checked by <see cref="UploadSecretInterceptor"/>, the store's refusals become statuses in <see cref="ReaderErrors"/>.
/// </summary>
public sealed class ModelUploadsGrpcService(ModelUploadStore store) : ModelUploads.ModelUploadsBase
{
    public override async Task<ModelUploadStatus> Begin(BeginModelUploadRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var files = request.Files.Select(f => new UploadFile(f.Name, f.Size, f.Sha256)).ToList();
        return ToStatus(await store.BeginAsync(request.Team, request.Model, files, context.CancellationToken));
    }

    public override async Task<ModelUploadStatus> Upload(IAsyncStreamReader<ModelUploadChunk> requestStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(requestStream);
        ArgumentNullException.ThrowIfNull(context);
        string? id = null, team = null;
        // Each chunk is written as it arrives: a stream that drops keeps every chunk before the drop.
        await foreach (var chunk in requestStream.ReadAllAsync(context.CancellationToken))
        {
            if (id is null) (id, team) = (chunk.UploadId, chunk.Team);
            else if (chunk.UploadId != id || chunk.Team != team) RpcErrors.InvalidArgument("every chunk of one stream must name the same upload and team.");
            await store.WriteAsync(id, team!, chunk.File, chunk.Offset, chunk.Data.Memory, context.CancellationToken);
        }
        if (id is null) RpcErrors.InvalidArgument("the stream held no chunk.");
        return ToStatus(await store.StatusAsync(id, team!, context.CancellationToken));
    }

    public override async Task<ModelUploadStatus> Status(ModelUploadRef request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        return ToStatus(await store.StatusAsync(request.UploadId, request.Team, context.CancellationToken));
    }

    public override async Task<CommitModelUploadResponse> Commit(ModelUploadRef request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var published = await store.CommitAsync(request.UploadId, request.Team, context.CancellationToken);
        return new CommitModelUploadResponse
        {
            Model = published.Name,
            Version = published.Version,
            ProbeAnswer = published.ProbeAnswer,
            Parameters = published.Parameters,
            Architecture = published.Architecture,
        };
    }

    public override async Task<ModelUploadStatus> Abort(ModelUploadRef request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        return ToStatus(await store.AbortAsync(request.UploadId, request.Team, context.CancellationToken));
    }

    static ModelUploadStatus ToStatus(UploadProgress progress)
    {
        var status = new ModelUploadStatus
        {
            UploadId = progress.Id,
            Team = progress.Team,
            Model = progress.Model,
            TotalBytes = progress.TotalBytes,
            ReceivedBytes = progress.ReceivedBytes,
            ExpiresAtUnix = new DateTimeOffset(progress.ExpiresAt, TimeSpan.Zero).ToUnixTimeSeconds(),
        };
        status.Files.AddRange(progress.Files.Select(f => new ModelUploadFileStatus { Name = f.File.Name, Size = f.File.Size, Received = f.Received }));
        return status;
    }
}
