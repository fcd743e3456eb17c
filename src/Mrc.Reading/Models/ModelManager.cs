using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Mrc.Reading.Checkpoints;
using Mrc.Reading.Devices;
using Mrc.Reading.Inference;
using Mrc.Reading.Modeling;
using Mrc.Reading.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace Mrc.Reading.Models;

/// <summary>How a <see cref="ModelManager"/> finds, loads and keeps model versions (ReaderService fills it from its options).</summary>
/// <param name="ModelRepository">Folder holding <c>&lt;name&gt;/&lt;version&gt;/</c> model folders.</param>
/// <param name="DefaultModel">Model used when a request names none; empty means the first model by name.</param>
/// <param name="Device">"auto", "cpu", "cuda" or "cuda:N" (<see cref="DeviceChoice"/>).</param>
/// <param name="Precision">"fp32", or on CUDA "fp16"/"bf16".</param>
/// <param name="Threads">libtorch intra-op threads; 0 leaves libtorch's default.</param>
/// <param name="MaxLoadedModels">Versions kept in memory; the least recently used is unloaded past this.</param>
/// <param name="Batching">Dynamic batching across requests, or null to run each request's windows on their own.</param>
/// <param name="Windows">Windowing limits.</param>
/// <param name="MaxBatchWindows">Most windows in one forward pass without dynamic batching.</param>
public sealed record ModelManagerSettings(
    string ModelRepository,
    string DefaultModel = "",
    string Device = "auto",
    string Precision = "fp32",
    int Threads = 0,
    int MaxLoadedModels = 2,
    BatchingSettings? Batching = null,
    WindowSettings? Windows = null,
    int MaxBatchWindows = 32);

/// <summary>A model version that could not be loaded (gRPC FailedPrecondition, with the reason).</summary>
public sealed class ModelLoadException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// A model version the manager keeps in memory: the loaded reader (<see cref="LocalReader"/>) plus the
/// lease count that keeps it alive while requests use it after it has been evicted.
/// </summary>
public sealed class LoadedReader : IAsyncDisposable
{
    int leases;
    int evicted;

    internal LoadedReader(ModelEntry entry, LocalReader local)
    {
        Entry = entry;
        Local = local;
    }

    public ModelEntry Entry { get; }
    public LocalReader Local { get; }
    public EncoderConfig Config => Local.Config;
    public ReaderEngine Engine => Local.Engine;
    public long Parameters => Local.Parameters;
    public string DeviceName => Local.Executor.Device.ToString();
    internal long LastUsed;

    internal bool TryAcquire()
    {
        Interlocked.Increment(ref leases);
        if (Volatile.Read(ref evicted) == 0) return true;
        Release();
        return false;
    }

    internal void Release()
    {
        if (Interlocked.Decrement(ref leases) == 0 && Volatile.Read(ref evicted) == 1) _ = DisposeOnceAsync();
    }

    internal void Evict()
    {
        Interlocked.Exchange(ref evicted, 1);
        if (Volatile.Read(ref leases) == 0) _ = DisposeOnceAsync();
    }

    int disposed;

    async Task DisposeOnceAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1) return;
        await Local.DisposeAsync().ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => new(DisposeOnceAsync());
}

/// <summary>A use of a loaded model; the model is not unloaded while a lease is held.</summary>
public sealed class ModelLease(LoadedReader reader) : IDisposable
{
    int released;

    public LoadedReader Reader => reader;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref released, 1) == 0) reader.Release();
    }
}

/// <summary>What ListModels shows for one version.</summary>
public sealed record ModelStatus(ModelEntry Entry, string Architecture, long Parameters, string Device, bool Loaded, bool IsDefault, ModelCard? Card, string LoadError);

/// <summary>
/// Loads model versions on first use (once, however many requests ask at the same time), keeps at
/// most <see cref="ModelManagerSettings.MaxLoadedModels"/> in memory (least recently used unloaded when its
/// last request finishes), and remembers versions that failed to load with the reason, so that
/// they are reported and every other version keeps serving.
/// </summary>
public sealed partial class ModelManager : IAsyncDisposable
{
    readonly ModelManagerSettings options;
    readonly ILogger<ModelManager> logger;
    readonly ConcurrentDictionary<string, Lazy<Task<LoadedReader>>> loaded = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, (string Reason, DateTime Stamp)> failures = new(StringComparer.Ordinal);
    readonly Lock evictionGate = new();
    long clock;

    public ModelManager(ModelManagerSettings settings, ILogger<ModelManager> logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        options = settings;
        this.logger = logger;
        Repository = new ModelRepository(settings.ModelRepository);
        if (settings.Threads > 0) torch.set_num_threads(settings.Threads);
    }

    public ModelRepository Repository { get; }

    public ModelManagerSettings Settings => options;

    /// <summary>Resolves the request's model and version (NotFound) and leases it, loading it if needed (FailedPrecondition).</summary>
    public async Task<ModelLease> AcquireAsync(string name, string version, CancellationToken cancellationToken)
    {
        var entry = Repository.Resolve(name, version, options.DefaultModel);
        while (true)
        {
            if (failures.TryGetValue(entry.Key, out var failure))
            {
                // A failed version is tried again only once its files have changed.
                if (failure.Stamp == FolderStamp(entry.Folder))
                    throw new ModelLoadException($"model {entry.Key} cannot be loaded: {failure.Reason}");
                failures.TryRemove(new KeyValuePair<string, (string, DateTime)>(entry.Key, failure));
            }
            var lazy = loaded.GetOrAdd(entry.Key, _ => new Lazy<Task<LoadedReader>>(() => Task.Run(() => Load(entry), CancellationToken.None)));
            LoadedReader reader;
            try
            {
                reader = await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                var reason = e is ModelLoadException or CheckpointException or InvalidDataException or NotSupportedException or FileNotFoundException or DeviceUnavailableException
                    ? e.Message
                    : $"{e.GetType().Name}: {e.Message}";
                failures[entry.Key] = (reason, FolderStamp(entry.Folder));
                loaded.TryRemove(new KeyValuePair<string, Lazy<Task<LoadedReader>>>(entry.Key, lazy));
                LogLoadFailed(logger, e, entry.Key, reason);
                throw new ModelLoadException($"model {entry.Key} cannot be loaded: {reason}", e);
            }
            if (!reader.TryAcquire()) continue; // evicted meanwhile: load it again
            Interlocked.Exchange(ref reader.LastUsed, Interlocked.Increment(ref clock));
            EvictBeyondLimit(entry.Key);
            return new ModelLease(reader);
        }
    }

    void EvictBeyondLimit(string keep)
    {
        lock (evictionGate)
        {
            var ready = loaded
                .Where(p => p.Value.IsValueCreated && p.Value.Value.IsCompletedSuccessfully)
                .Select(p => (p.Key, p.Value, Reader: p.Value.Value.Result))
                .ToList();
            var excess = ready.Count - options.MaxLoadedModels;
            foreach (var victim in ready.Where(r => r.Key != keep).OrderBy(r => Interlocked.Read(ref r.Reader.LastUsed)).Take(Math.Max(0, excess)))
            {
                if (loaded.TryRemove(new KeyValuePair<string, Lazy<Task<LoadedReader>>>(victim.Key, victim.Value)))
                {
                    LogUnloading(logger, victim.Key);
                    victim.Reader.Evict();
                }
            }
        }
    }

    LoadedReader Load(ModelEntry entry)
    {
        LogLoading(logger, entry.Key, entry.Folder);
        var local = ReaderFactory.Load(
            entry.Folder, options.Device, options.Precision,
            options.Batching, options.Windows, options.MaxBatchWindows);
        if (local.Report.Unexpected.Count > 0)
            LogUnexpected(logger, entry.Key, local.Report.Unexpected.Count, local.Report.Unexpected);
        if (local.PrecisionFallback is { } fallback) LogPrecisionFallback(logger, entry.Key, options.Precision, fallback);
        LogLoaded(logger, entry.Key, local.Config.ModelType, local.Parameters, local.Executor.Device, local.ElementType);
        return new LoadedReader(entry, local);
    }

    /// <summary>The newest write time of the folder and its files: changes when a version is fixed or replaced.</summary>
    static DateTime FolderStamp(string folder)
    {
        try
        {
            var info = new DirectoryInfo(folder);
            return info.EnumerateFiles().Select(f => f.LastWriteTimeUtc).Append(info.LastWriteTimeUtc).Max();
        }
        catch (IOException)
        {
            return DateTime.MinValue;
        }
    }

    /// <summary>Every version in the repository with its state.</summary>
    public IReadOnlyList<ModelStatus> Status()
    {
        var entries = Repository.List();
        var defaultName = string.IsNullOrEmpty(options.DefaultModel) ? (entries.Count > 0 ? entries[0].Name : "") : options.DefaultModel;
        return [.. entries.Select(entry =>
        {
            LoadedReader? reader = loaded.TryGetValue(entry.Key, out var lazy) && lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully
                ? lazy.Value.Result
                : null;
            return new ModelStatus(
                entry,
                reader?.Config.ModelType ?? ModelRepository.ReadArchitecture(entry) ?? "",
                reader?.Parameters ?? 0,
                reader?.DeviceName ?? "",
                reader is not null,
                entry.Name == defaultName,
                ModelRepository.ReadCard(entry),
                failures.TryGetValue(entry.Key, out var failure) ? failure.Reason : "");
        })];
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Model {Model} failed to load: {Reason}")]
    static partial void LogLoadFailed(ILogger logger, Exception exception, string model, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Unloading model {Model} (least recently used)")]
    static partial void LogUnloading(ILogger logger, string model);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loading model {Model} from {Folder}")]
    static partial void LogLoading(ILogger logger, string model, string folder);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Model}: {Count} checkpoint weights unused: {Keys}")]
    static partial void LogUnexpected(ILogger logger, string model, int count, IReadOnlyList<string> keys);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded model {Model}: {Architecture}, {Parameters} parameters on {Device} in {ElementType}")]
    static partial void LogLoaded(ILogger logger, string model, string architecture, long parameters, Device device, ScalarType elementType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Model}: Reader:Precision is {Precision}, but {Reason}")]
    static partial void LogPrecisionFallback(ILogger logger, string model, string precision, string reason);

    public async ValueTask DisposeAsync()
    {
        foreach (var lazy in loaded.Values)
        {
            if (lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully) await lazy.Value.Result.DisposeAsync().ConfigureAwait(false);
        }
        loaded.Clear();
    }
}
