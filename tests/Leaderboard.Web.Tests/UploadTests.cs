using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Mrc.Leaderboard.Domain;
using Mrc.Leaderboard.Tests.Support;

namespace Mrc.Leaderboard.Tests;

/// <summary>Uploads (predictions files, evaluation sets): read once, and only so many at a time.</summary>
public sealed class UploadTests
{
    /// <summary>A stream that gives its bytes only when the test lets it: an upload still arriving.</summary>
    sealed class HeldStream(byte[] content) : Stream
    {
        readonly MemoryStream inner = new(content);
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Started.TrySetResult();
            await Release.Task.WaitAsync(cancellationToken);
            return await inner.ReadAsync(buffer, cancellationToken);
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public async Task AnUploadPastTheConcurrentLimit_IsRefusedWith429AndAReadableMessage_AndTheHeldOneStillSucceeds()
    {
        using var database = TestDatabase.Sqlite();
        await using var pipeline = await FakePipeline.StartAsync();
        await using var host = await LeaderboardHost.StartAsync(database, pipeline.Address, new Dictionary<string, string?>
        {
            ["Leaderboard:MaxConcurrentUploads"] = "1",
        });
        await host.Get<EvaluationSetService>().RegisterAsync("korean-dev", "korean-dev.json", new MemoryStream(TestSets.KoreanJson()));
        var (team, token) = await host.Get<TeamService>().CreateAsync("알파");
        var predictions = TestSets.PredictionsJson(TestSets.ExpectedPredictions());

        // One upload still arriving holds the only slot.
        var held = new HeldStream(predictions);
        var first = host.Get<SubmissionService>().SubmitPredictionsAsync(Caller.ForTeam(team.Id, team.Name), "korean-dev", held, "held", null);
        await held.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));

        using var http = new HttpClient { BaseAddress = host.HttpAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/submissions")
        {
            Content = new StringContent(JsonSerializer.Serialize(new
            {
                evaluationSet = "korean-dev",
                predictions = new { json = Convert.ToBase64String(predictions), modelLabel = "second" },
            }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var refused = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Contains("uploads in progress", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        held.Release.SetResult();
        var accepted = await first.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(12, accepted.Completed);

        // The slot is free again.
        using var again = new HttpRequestMessage(HttpMethod.Post, "/api/v1/submissions") { Content = request.Content };
        again.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(again);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task AnUploadOfKnownLength_IsCopiedOnce()
    {
        var bytes = new byte[8 * 1024 * 1024];
        Array.Fill(bytes, (byte)'a');
        using var file = new MemoryStream(bytes, writable: false); // seekable and sized, like a file, but its buffer is not exposed

        long before = GC.GetAllocatedBytesForCurrentThread();
        var read = await Uploads.ReadLimitedAsync(file, 16 * 1024 * 1024, "predictions.json", CancellationToken.None);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(bytes.Length, read.Length);
        Assert.True(allocated < bytes.Length * 1.2, $"{allocated:N0} bytes allocated to read {bytes.Length:N0}");
    }

    [Fact]
    public async Task AnUploadPastTheSizeLimit_IsRefusedNamingTheLimit()
    {
        using var file = new MemoryStream(new byte[5000], writable: false);
        var error = await Assert.ThrowsAsync<LeaderboardException>(() => Uploads.ReadLimitedAsync(file, 4000, "predictions.json", CancellationToken.None));
        Assert.Equal(LeaderboardError.InvalidArgument, error.Error);
        Assert.Contains("4,000 bytes", error.Message, StringComparison.Ordinal);
    }
}
