using Microsoft.Extensions.Options;

namespace Mrc.Leaderboard.Domain;

/// <summary>
/// Bounds the uploads handled at once (Leaderboard:MaxConcurrentUploads): each holds its file and what
/// is parsed from it in memory, several times the file's size, so many large ones together could take
/// the server's memory. An upload past the bound is refused at once with ResourceExhausted (HTTP 429
/// on the JSON API), rather than queued, so that the client knows to try again shortly.
/// </summary>
public sealed class UploadSlots(IOptions<LeaderboardOptions> options) : IDisposable
{
    readonly SemaphoreSlim slots = new(options.Value.MaxConcurrentUploads, options.Value.MaxConcurrentUploads);

    /// <summary>Takes a slot for the upload of <paramref name="fileName"/>; disposing the result gives it back.</summary>
    public IDisposable Enter(string fileName)
    {
        if (!slots.Wait(0))
            throw new LeaderboardException(LeaderboardError.ResourceExhausted,
                $"{fileName}: the server already has {options.Value.MaxConcurrentUploads} uploads in progress; try again in a few seconds.",
                $"{fileName}: 서버가 이미 업로드 {options.Value.MaxConcurrentUploads}개를 처리하고 있습니다. 잠시 후 다시 시도하세요.");
        return new Slot(slots);
    }

    public void Dispose() => slots.Dispose();

    sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0) slots.Release();
        }
    }
}
