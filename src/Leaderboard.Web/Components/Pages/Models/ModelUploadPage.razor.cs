using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Google.Protobuf;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Mrc.Clients;
using Mrc.Contracts.V1;
using Mrc.Leaderboard.Domain;
using Mrc.Leaderboard.Evaluation;

namespace Mrc.Leaderboard.Components.Pages.Models;

/// <summary>
/// A team uploads a model folder from the browser: each file is read twice through the circuit, once to
/// hash it (the reader checks every file against its SHA-256 before it publishes) and once to send it
/// chunk by chunk to the reader (<see cref="TeamModelService"/>). A dropped reader stream is resumed from
/// the upload's status; an upload that fails for good is aborted, so nothing half-written stays.
/// </summary>
public partial class ModelUploadPage
{
    const int ChunkBytes = 1024 * 1024;
    const int MaxFiles = 64;
    const int MaxAttempts = 4;

    [Inject] TeamModelService TeamModels { get; set; } = default!;
    [Inject] SubmissionService Submissions { get; set; } = default!;

    readonly CancellationTokenSource leaving = new();
    IReadOnlyList<IBrowserFile> files = [];
    IReadOnlyList<ModelChoice> ownModels = [];
    string modelName = "";
    string? phase;
    double percent;
    string? error;
    bool busy;
    CommitModelUploadResponse? published;

    long TotalBytes => files.Sum(f => f.Size);

    protected override Task OnInitializedAsync() => LoadOwnModelsAsync();

    async Task LoadOwnModelsAsync()
    {
        try
        {
            ownModels = [.. (await Submissions.ListModelsAsync(await GetCallerAsync(), leaving.Token)).Where(m => TeamModelService.OwnerOf(m.Name) is not null)];
        }
        catch (ServiceUnavailableException)
        {
            ownModels = [];
        }
    }

    void OnFilesChosen(InputFileChangeEventArgs e)
    {
        error = null;
        published = null;
        if (e.FileCount > MaxFiles)
        {
            files = [];
            error = $"파일이 {e.FileCount}개입니다. 한 번에 {MaxFiles}개까지 올릴 수 있습니다.";
            return;
        }
        files = e.GetMultipleFiles(MaxFiles);
    }

    async Task UploadAsync()
    {
        busy = true;
        error = null;
        published = null;
        string? uploadId = null;
        var caller = await GetCallerAsync() ?? throw new InvalidOperationException("The page requires a signed-in team.");
        var token = leaving.Token;
        try
        {
            var described = new List<ModelUploadFile>();
            long hashed = 0;
            foreach (var file in files)
            {
                Show("파일 확인 중 (SHA-256)", hashed, TotalBytes);
                described.Add(new ModelUploadFile { Name = file.Name, Size = file.Size, Sha256 = await HashAsync(file, token) });
                hashed += file.Size;
            }
            var status = await TeamModels.BeginAsync(caller, modelName.Trim(), described, token);
            uploadId = status.UploadId;
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    status = await TeamModels.UploadAsync(caller, ChunksAsync(status, token), token);
                    break;
                }
                catch (LeaderboardException e) when (e.Error == LeaderboardError.Unavailable && attempt < MaxAttempts)
                {
                    Show("연결이 끊겨 이어서 올립니다", status.ReceivedBytes, status.TotalBytes);
                    await Task.Delay(TimeSpan.FromSeconds(attempt), token);
                    status = await TeamModels.StatusAsync(caller, uploadId, token);
                }
            }
            Show("모델 확인 중 (불러오기와 시험 질문)", status.TotalBytes, status.TotalBytes);
            published = await TeamModels.CommitAsync(caller, uploadId, token);
            uploadId = null; // committed or, on a refusal, deleted by the reader
            phase = "등록 완료";
            await LoadOwnModelsAsync();
        }
        catch (LeaderboardException e)
        {
            error = e.Korean;
            phase = null;
            if (e.Error is LeaderboardError.FailedPrecondition or LeaderboardError.NotFound) uploadId = null; // the reader has already dropped it
        }
        catch (IOException e)
        {
            error = $"파일을 읽을 수 없습니다: {e.Message}";
            phase = null;
        }
        finally
        {
            if (uploadId is not null) await AbortQuietlyAsync(caller, uploadId);
            busy = false;
        }
    }

    async Task AbortQuietlyAsync(Caller caller, string uploadId)
    {
        try
        {
            await TeamModels.AbortAsync(caller, uploadId, CancellationToken.None);
        }
        catch (LeaderboardException)
        {
            // Already gone; or the reader deletes it when it expires.
        }
    }

    static async Task<string> HashAsync(IBrowserFile file, CancellationToken cancellationToken)
    {
        await using var stream = file.OpenReadStream(long.MaxValue, cancellationToken);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
    }

    /// <summary>What the reader still lacks of each file, in chunks, read from the browser as they are sent.</summary>
    async IAsyncEnumerable<TeamModelChunk> ChunksAsync(ModelUploadStatus status, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long sent = status.ReceivedBytes;
        var buffer = new byte[ChunkBytes];
        foreach (var entry in status.Files.Where(f => f.Received < f.Size))
        {
            var file = files.First(f => f.Name == entry.Name);
            await using var stream = file.OpenReadStream(long.MaxValue, cancellationToken);
            // A browser file stream cannot seek: what the reader already has is read past.
            for (long skipped = 0; skipped < entry.Received;)
            {
                int read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(ChunkBytes, entry.Received - skipped)), cancellationToken);
                if (read == 0) throw new IOException($"{file.Name} is shorter than chosen.");
                skipped += read;
            }
            for (long offset = entry.Received; offset < entry.Size;)
            {
                int read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(ChunkBytes, entry.Size - offset)), cancellationToken);
                if (read == 0) throw new IOException($"{file.Name} is shorter than chosen.");
                yield return new TeamModelChunk { UploadId = status.UploadId, File = entry.Name, Offset = offset, Data = ByteString.CopyFrom(buffer, 0, read) };
                offset += read;
                sent += read;
                Show("올리는 중", sent, status.TotalBytes);
            }
        }
    }

    void Show(string what, long done, long total)
    {
        phase = what;
        percent = total == 0 ? 100 : 100.0 * done / total;
        _ = InvokeAsync(StateHasChanged);
    }

    public void Dispose()
    {
        leaving.Cancel();
        leaving.Dispose();
        GC.SuppressFinalize(this);
    }
}
