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
}
