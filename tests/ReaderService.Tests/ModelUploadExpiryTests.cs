using Microsoft.Extensions.Logging.Abstractions;
using Mrc.Reader.Tests.Support;
using Mrc.Reading.Models;
using Mrc.Reading.Uploads;

namespace Mrc.Reader.Tests;

/// <summary>Uploads never committed are deleted once they expire, and so are staging folders a crash left half-made.</summary>
public sealed class ModelUploadExpiryTests : IDisposable
{
    readonly TempFolder repository = new();
    readonly ManualClock clock = new();
    readonly ModelManager models;
    readonly ModelUploadStore store;

    public ModelUploadExpiryTests()
    {
        models = new ModelManager(new ModelManagerSettings(repository.Path, Device: "cpu"), NullLogger<ModelManager>.Instance);
        store = new ModelUploadStore(models, new ModelUploadLimits(1000, 4, 4, TimeSpan.FromHours(24)), clock, NullLogger<ModelUploadStore>.Instance);
    }

    public void Dispose()
    {
        store.Dispose();
        models.DisposeAsync().AsTask().GetAwaiter().GetResult();
        repository.Dispose();
    }

    static UploadFile[] Config => [new("config.json", 2, new string('a', 64))];

    [Fact]
    public async Task RemoveExpired_DeletesUploadsOlderThanTheExpiryAndKeepsYoungerOnes()
    {
        var old = await store.BeginAsync("team", "old", Config, CancellationToken.None);
        clock.Now += TimeSpan.FromHours(23);
        var young = await store.BeginAsync("team", "young", Config, CancellationToken.None);
        clock.Now += TimeSpan.FromHours(2);

        Assert.Equal(1, store.RemoveExpired());

        var gone = await Assert.ThrowsAsync<ModelUploadException>(() => store.StatusAsync(old.Id, "team", CancellationToken.None));
        Assert.Equal(UploadError.NotFound, gone.Error);
        Assert.Equal("young", (await store.StatusAsync(young.Id, "team", CancellationToken.None)).Model);
    }

    [Fact]
    public async Task AnExpiredUpload_IsNotFoundEvenBeforeTheSweep()
    {
        var upload = await store.BeginAsync("team", "m", Config, CancellationToken.None);
        clock.Now += TimeSpan.FromHours(24);

        var error = await Assert.ThrowsAsync<ModelUploadException>(() =>
            store.WriteAsync(upload.Id, "team", "config.json", 0, new byte[] { 1, 2 }, CancellationToken.None));

        Assert.Equal(UploadError.NotFound, error.Error);
        Assert.Contains("expired", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetDirectories(store.StagingRoot));
    }

    [Fact]
    public void RemoveExpired_DeletesAHalfMadeStagingFolderOnceItIsAsOldAsTheExpiry()
    {
        var halfMade = Directory.CreateDirectory(Path.Combine(store.StagingRoot, "0123456789abcdef0123456789abcdef.new"));
        Assert.Equal(0, store.RemoveExpired());

        clock.Now += TimeSpan.FromHours(25);

        Assert.Equal(1, store.RemoveExpired());
        Assert.False(halfMade.Exists && Directory.Exists(halfMade.FullName));
    }

    sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.UtcNow;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
