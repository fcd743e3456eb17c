using Grpc.Core;
using Microsoft.Extensions.Options;
using Mrc.Contracts.V1;
using Mrc.Leaderboard.Evaluation;

namespace Mrc.Leaderboard.Domain;

/// <summary>
/// A team's own models: uploads passed through to the reader's mrc.v1.ModelUploads (which checks,
/// loads, probes and publishes them) under the team's folder <c>team-&lt;id&gt;</c>, and who may run
/// what. The folder is named by the team's id, not its name: names may hold any character, and a team
/// deleted and created again under the same name must not inherit the old team's models.
/// Chunks go through one at a time as they arrive; nothing holds a whole model in memory.
/// </summary>
public sealed class TeamModelService(ModelUploads.ModelUploadsClient reader, IOptions<EvaluationOptions> options, UploadSlots slots)
{
    /// <summary>Deadline of Begin, Status and Abort; Commit loads the model and gets longer.</summary>
    static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);
    static readonly TimeSpan CommitTimeout = TimeSpan.FromMinutes(10);

    public static string FolderOf(long teamId) => $"team-{teamId}";

    /// <summary>The team folder a model name starts with ("team-3/x" → "team-3"), or null for a shared model.</summary>
    public static string? OwnerOf(string model) => model.IndexOf('/', StringComparison.Ordinal) is var slash and > 0 ? model[..slash] : null;

    /// <summary>Whether <paramref name="caller"/> may see and run <paramref name="model"/>: shared models, and only a team its own.</summary>
    public static bool MayRun(Caller? caller, string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var owner = OwnerOf(model);
        return owner is null || (caller?.TeamId is { } id && owner == FolderOf(id));
    }

    public async Task<ModelUploadStatus> BeginAsync(Caller caller, string model, IEnumerable<ModelUploadFile> files, CancellationToken cancellationToken)
    {
        var request = new BeginModelUploadRequest { Team = TeamOf(caller), Model = (model ?? "").Trim() };
        request.Files.AddRange(files);
        return await CallAsync(() => reader.BeginAsync(request, Auth(), Deadline(CallTimeout), cancellationToken).ResponseAsync);
    }

    /// <summary>Passes each chunk on to one reader stream as it arrives; holds one of Leaderboard:MaxConcurrentUploads meanwhile.</summary>
    public async Task<ModelUploadStatus> UploadAsync(Caller caller, IAsyncEnumerable<TeamModelChunk> chunks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        var team = TeamOf(caller);
        var auth = Auth();
        using var slot = slots.Enter("model upload");
        return await CallAsync(async () =>
        {
            using var call = reader.Upload(auth, cancellationToken: cancellationToken);
            await foreach (var chunk in chunks.WithCancellation(cancellationToken))
            {
                await call.RequestStream.WriteAsync(new ModelUploadChunk
                {
                    UploadId = chunk.UploadId, Team = team, File = chunk.File, Offset = chunk.Offset, Data = chunk.Data,
                }, cancellationToken);
            }
            await call.RequestStream.CompleteAsync();
            return await call.ResponseAsync;
        });
    }

    public Task<ModelUploadStatus> StatusAsync(Caller caller, string uploadId, CancellationToken cancellationToken)
    {
        var request = new ModelUploadRef { UploadId = uploadId ?? "", Team = TeamOf(caller) };
        return CallAsync(() => reader.StatusAsync(request, Auth(), Deadline(CallTimeout), cancellationToken).ResponseAsync);
    }

    public Task<CommitModelUploadResponse> CommitAsync(Caller caller, string uploadId, CancellationToken cancellationToken)
    {
        var request = new ModelUploadRef { UploadId = uploadId ?? "", Team = TeamOf(caller) };
        return CallAsync(() => reader.CommitAsync(request, Auth(), Deadline(CommitTimeout), cancellationToken).ResponseAsync);
    }

    public Task<ModelUploadStatus> AbortAsync(Caller caller, string uploadId, CancellationToken cancellationToken)
    {
        var request = new ModelUploadRef { UploadId = uploadId ?? "", Team = TeamOf(caller) };
        return CallAsync(() => reader.AbortAsync(request, Auth(), Deadline(CallTimeout), cancellationToken).ResponseAsync);
    }

    static string TeamOf(Caller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return caller.TeamId is { } id
            ? FolderOf(id)
            : throw new LeaderboardException(LeaderboardError.PermissionDenied, "Only teams upload models; sign in with a team token.",
                "모델은 팀만 올릴 수 있습니다. 팀 토큰으로 로그인하세요.");
    }

    Metadata Auth()
    {
        var secret = options.Value.ReaderUploadSecret;
        if (string.IsNullOrEmpty(secret))
            throw new LeaderboardException(LeaderboardError.FailedPrecondition,
                "Model uploads are off on this leaderboard (Evaluation:ReaderUploadSecret is not set).",
                "이 리더보드에서는 모델 업로드가 꺼져 있습니다.");
        return new Metadata { { "authorization", "Bearer " + secret } };
    }

    static DateTime Deadline(TimeSpan timeout) => DateTime.UtcNow + timeout;

    /// <summary>The reader's refusals as the leaderboard's own, with the reader's reason and a Korean message for the pages.</summary>
    static async Task<T> CallAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (RpcException e)
        {
            var reason = e.Status.Detail;
            throw e.StatusCode switch
            {
                StatusCode.InvalidArgument => new LeaderboardException(LeaderboardError.InvalidArgument, reason, $"모델 폴더가 올바르지 않습니다: {reason}"),
                StatusCode.ResourceExhausted => new LeaderboardException(LeaderboardError.ResourceExhausted, reason, $"업로드 한도를 넘었습니다: {reason}"),
                StatusCode.NotFound => new LeaderboardException(LeaderboardError.NotFound, reason, "업로드를 찾을 수 없습니다. 만료되었거나 이미 끝났습니다. 처음부터 다시 올리세요."),
                StatusCode.PermissionDenied => new LeaderboardException(LeaderboardError.PermissionDenied, reason, "다른 팀의 업로드입니다."),
                StatusCode.FailedPrecondition => new LeaderboardException(LeaderboardError.FailedPrecondition, reason, $"모델을 받을 수 없습니다: {reason}"),
                // The reader did not accept the leaderboard's secret: a configuration fault, not the team's.
                StatusCode.Unauthenticated => new LeaderboardException(LeaderboardError.FailedPrecondition,
                    "Model uploads are off: the reader does not accept this leaderboard's Evaluation:ReaderUploadSecret.",
                    "모델 업로드를 사용할 수 없습니다 (리더 서비스 설정 오류)."),
                StatusCode.Cancelled => new OperationCanceledException(reason, e),
                _ => new LeaderboardException(LeaderboardError.Unavailable, $"The reader service is not reachable: {reason}",
                    "리더 서비스에 연결할 수 없습니다. 잠시 후 다시 시도하세요."),
            };
        }
    }
}
