using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Mrc.Reading.Inference;
using Mrc.Reading.Models;
using Mrc.Reader.Tests.Support;
using Mrc.Core.Pipeline;

namespace Mrc.Reader.Tests;

/// <summary>Model repository: latest version, lazy load, LRU unload, failing versions reported.</summary>
public class ModelManagerTests
{
    static ModelManager Manager(TinyModelRepository repository, int maxLoaded = 2) => new(
        new ReaderOptions { ModelRepository = repository.Root, DefaultModel = "korean-tiny", Device = "cpu", MaxLoadedModels = maxLoaded }.ToManagerSettings(),
        NullLogger<ModelManager>.Instance);

    [Fact]
    public void Resolve_Latest_IsTheHighestVersionNumerically()
    {
        using var repository = new TinyModelRepository();
        var models = new ModelRepository(repository.Root);

        Assert.Equal("10", models.Resolve("korean-tiny", "latest", "").Version);
        Assert.Equal("10", models.Resolve("korean-tiny", "", "").Version);
        Assert.Equal("2", models.Resolve("korean-tiny", "2", "").Version);
        Assert.Equal("korean-tiny", models.Resolve("", "", "korean-tiny").Name);
    }

    [Fact]
    public void Resolve_UnknownModelOrVersion_ThrowsNotFoundListingWhatExists()
    {
        using var repository = new TinyModelRepository();
        var models = new ModelRepository(repository.Root);

        Assert.Contains("korean-tiny", Assert.Throws<ModelNotFoundException>(() => models.Resolve("nope", "", "")).Message, StringComparison.Ordinal);
        Assert.Contains("10, 2, 1", Assert.Throws<ModelNotFoundException>(() => models.Resolve("korean-tiny", "7", "")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Acquire_LoadsOnFirstUseAndReportsParametersAndDevice()
    {
        using var repository = new TinyModelRepository();
        await using var manager = Manager(repository);
        Assert.DoesNotContain(manager.Status(), s => s.Loaded);

        using (var lease = await manager.AcquireAsync("korean-tiny", "", CancellationToken.None))
        {
            var answers = await lease.Reader.Engine.ReadAsync(TinyModelRepository.Question,
                [new PassageInput("p", TinyModelRepository.Context)], new ReadSettings(), CancellationToken.None);
            Assert.NotEmpty(answers);
        }

        var status = manager.Status().Single(s => s.Entry.Key == "korean-tiny/10");
        Assert.True(status.Loaded);
        Assert.Equal("cpu", status.Device);
        Assert.Equal("bert", status.Architecture);
        Assert.True(status.Parameters > 10_000);
        Assert.Equal(20.25, status.Card!.Metrics["f1"]);
        Assert.True(status.IsDefault);
    }

    [Fact]
    public async Task Acquire_PastTheLimit_UnloadsTheLeastRecentlyUsed()
    {
        using var repository = new TinyModelRepository();
        await using var manager = Manager(repository, maxLoaded: 2);

        (await manager.AcquireAsync("korean-tiny", "1", CancellationToken.None)).Dispose();
        (await manager.AcquireAsync("korean-tiny", "2", CancellationToken.None)).Dispose();
        (await manager.AcquireAsync("korean-tiny", "1", CancellationToken.None)).Dispose();
        (await manager.AcquireAsync("other-tiny", "", CancellationToken.None)).Dispose();

        var loaded = manager.Status().Where(s => s.Loaded).Select(s => s.Entry.Key).Order().ToList();
        Assert.Equal(["korean-tiny/1", "other-tiny/1"], loaded);
    }

    [Fact]
    public async Task Acquire_BrokenVersion_FailsWithReasonAndOthersKeepServing()
    {
        using var repository = new TinyModelRepository();
        await using var manager = Manager(repository);

        var error = await Assert.ThrowsAsync<ModelLoadException>(() => manager.AcquireAsync("broken", "1", CancellationToken.None));
        Assert.Contains("no weights", error.Message, StringComparison.Ordinal);
        Assert.Contains("no weights", manager.Status().Single(s => s.Entry.Name == "broken").LoadError, StringComparison.Ordinal);

        using var lease = await manager.AcquireAsync("other-tiny", "1", CancellationToken.None);
        Assert.Equal("roberta", lease.Reader.Config.ModelType);
    }

    [Fact]
    public async Task Acquire_BrokenVersionOnceFixed_LoadsWithoutRestart()
    {
        using var repository = new TinyModelRepository();
        await using var manager = Manager(repository);
        await Assert.ThrowsAsync<ModelLoadException>(() => manager.AcquireAsync("broken", "1", CancellationToken.None));
        await Assert.ThrowsAsync<ModelLoadException>(() => manager.AcquireAsync("broken", "1", CancellationToken.None));

        var fixedWeights = Path.Combine(repository.Root, "korean-tiny", "1", "model.safetensors");
        File.Copy(fixedWeights, Path.Combine(repository.Root, "broken", "1", "model.safetensors"));

        using var lease = await manager.AcquireAsync("broken", "1", CancellationToken.None);
        Assert.Equal("", manager.Status().Single(s => s.Entry.Name == "broken").LoadError);
    }

    [Fact]
    public async Task Acquire_ConcurrentFirstUse_LoadsOnce()
    {
        using var repository = new TinyModelRepository();
        await using var manager = Manager(repository);

        var leases = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => manager.AcquireAsync("korean-tiny", "2", CancellationToken.None)));

        Assert.Single(leases.Select(l => l.Reader).Distinct());
        foreach (var lease in leases) lease.Dispose();
    }

    [Fact]
    public async Task Acquire_PastTheLimitWhileEveryVersionIsInUse_WaitsInsteadOfLoadingAnother()
    {
        using var repository = new TinyModelRepository();
        await using var manager = Manager(repository, maxLoaded: 1);
        var first = await manager.AcquireAsync("korean-tiny", "1", CancellationToken.None);

        var second = manager.AcquireAsync("korean-tiny", "2", CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.False(second.IsCompleted, "a second version was loaded while the only slot was in use");
        Assert.Equal(1, manager.ResidentVersions);

        first.Dispose();
        using var lease = await second.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("2", lease.Reader.Entry.Version);
        Assert.Equal(1, manager.ResidentVersions);
        Assert.Equal(["korean-tiny/2"], manager.Status().Where(s => s.Loaded).Select(s => s.Entry.Key));
    }

    [Fact]
    public async Task Acquire_ManyVersionsAtOnce_NeverHoldsMoreThanTheLimit()
    {
        using var repository = new TinyModelRepository();
        await using var manager = Manager(repository, maxLoaded: 2);
        int most = 0;
        using var watching = new CancellationTokenSource();
        var watcher = Task.Run(async () =>
        {
            while (!watching.IsCancellationRequested)
            {
                most = Math.Max(most, manager.ResidentVersions);
                await Task.Delay(1);
            }
        });

        var versions = new[] { ("korean-tiny", "1"), ("korean-tiny", "2"), ("korean-tiny", "10"), ("other-tiny", "1") };
        await Task.WhenAll(Enumerable.Range(0, 12).Select(async i =>
        {
            var (name, version) = versions[i % versions.Length];
            using var lease = await manager.AcquireAsync(name, version, CancellationToken.None);
            await lease.Reader.Engine.ReadAsync(TinyModelRepository.Question,
                [new PassageInput("p", TinyModelRepository.Context)], new ReadSettings(), CancellationToken.None);
        }));
        await watching.CancelAsync();
        await watcher;

        Assert.InRange(most, 1, 2);
        Assert.InRange(manager.ResidentVersions, 1, 2);
    }

    [Fact]
    public async Task Acquire_AfterATransientLoadFailure_TriesAgainAfterABackOff_WithoutAFolderChange()
    {
        using var repository = new TinyModelRepository();
        int calls = 0;
        await using var manager = new ModelManager(
            new ReaderOptions { ModelRepository = repository.Root, Device = "cpu" }.ToManagerSettings(),
            NullLogger<ModelManager>.Instance,
#pragma warning disable CA2201 // what the runtime throws when an allocation fails, thrown here once in its place
            (entry, settings) => Interlocked.Increment(ref calls) == 1
                ? throw new OutOfMemoryException("Insufficient memory to continue the execution of the program.")
                : ModelManager.LoadFromFolder(entry, settings),
#pragma warning restore CA2201
            retryAfter: TimeSpan.FromMilliseconds(300));

        var error = await Assert.ThrowsAsync<ModelLoadException>(() => manager.AcquireAsync("korean-tiny", "1", CancellationToken.None));
        Assert.True(error.Transient);
        Assert.Contains("Insufficient memory", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, manager.ResidentVersions);

        await Task.Delay(TimeSpan.FromSeconds(1));
        using var lease = await manager.AcquireAsync("korean-tiny", "1", CancellationToken.None);
        Assert.Equal("1", lease.Reader.Entry.Version);
        Assert.Equal(2, calls);
        Assert.Equal("", manager.Status().Single(s => s.Entry.Key == "korean-tiny/1").LoadError);
    }

    [Fact]
    public async Task Acquire_APermanentLoadFailure_IsNotTransient_AndIsNotTriedAgainUntilTheFolderChanges()
    {
        using var repository = new TinyModelRepository();
        int calls = 0;
        await using var manager = new ModelManager(
            new ReaderOptions { ModelRepository = repository.Root, Device = "cpu" }.ToManagerSettings(),
            NullLogger<ModelManager>.Instance,
            (entry, settings) =>
            {
                Interlocked.Increment(ref calls);
                return ModelManager.LoadFromFolder(entry, settings);
            },
            retryAfter: TimeSpan.FromMilliseconds(300));

        var first = await Assert.ThrowsAsync<ModelLoadException>(() => manager.AcquireAsync("broken", "1", CancellationToken.None));
        Assert.False(first.Transient);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var again = await Assert.ThrowsAsync<ModelLoadException>(() => manager.AcquireAsync("broken", "1", CancellationToken.None));
        Assert.Equal(first.Message, again.Message);
        Assert.Equal(1, calls);
    }

    [Theory]
    [InlineData("../../korean-tiny/1/model.safetensors")]
    [InlineData("ABSOLUTE")]
    public async Task Acquire_AShardIndexNamingAFileOutsideTheVersion_FailsNamingTheIndex(string shard)
    {
        using var repository = new TinyModelRepository();
        var outside = Path.Combine(repository.Root, "korean-tiny", "1", "model.safetensors");
        var folder = Path.Combine(repository.Root, "broken", "1");
        File.WriteAllText(Path.Combine(folder, "model.safetensors.index.json"), System.Text.Json.JsonSerializer.Serialize(new
        {
            weight_map = new Dictionary<string, string> { ["bert.embeddings.word_embeddings.weight"] = shard == "ABSOLUTE" ? outside : shard },
        }));
        await using var manager = Manager(repository);

        var error = await Assert.ThrowsAsync<ModelLoadException>(() => manager.AcquireAsync("broken", "1", CancellationToken.None));
        Assert.False(error.Transient);
        Assert.IsType<InvalidDataException>(error.InnerException);
        Assert.Contains("model.safetensors.index.json", error.Message, StringComparison.Ordinal);
        Assert.Contains("outside the model folder", error.Message, StringComparison.Ordinal);
    }
}
