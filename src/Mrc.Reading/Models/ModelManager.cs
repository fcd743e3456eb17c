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
/// <param name="MaxLoadedModels">Versions in memory at most, loading ones included; a load past this unloads the least recently used version no request holds, or waits for one.</param>
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

/// <summary>
/// A model version that could not be loaded, with the reason: gRPC FailedPrecondition when its files
/// are at fault, Unavailable when the failure may pass (<see cref="Transient"/>).
/// </summary>
public sealed class ModelLoadException(string message, Exception? inner = null, bool transient = false) : Exception(message, inner)
{
    /// <summary>
    /// Whether the load failed for a reason that may pass by itself (out of memory, an I/O error): the
    /// version is tried again after a short back-off. Otherwise its files are at fault, and it is tried
    /// again only once they change.
    /// </summary>
    public bool Transient { get; } = transient;
}

/// <summary>
/// A model version the manager keeps in memory: the loaded reader (<see cref="LocalReader"/>) plus the
/// lease count that keeps it alive while requests use it after it has been evicted.
/// </summary>
public sealed class LoadedReader : IAsyncDisposable
{
    int leases;
    int evicted;
    readonly Action? disposed;

    internal LoadedReader(ModelEntry entry, LocalReader local, Action? disposed = null)
    {
        Entry = entry;
        Local = local;
        this.disposed = disposed;
    }

    public ModelEntry Entry { get; }
    public LocalReader Local { get; }
    public EncoderConfig Config => Local.Config;
    public ReaderEngine Engine => Local.Engine;
    public long Parameters => Local.Parameters;
    public string DeviceName => Local.Executor.Device.ToString();
    internal long LastUsed;

    /// <summary>Whether a request holds a lease on it now.</summary>
    internal bool InUse => Volatile.Read(ref leases) > 0;

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

    int disposedOnce;

    async Task DisposeOnceAsync()
    {
        if (Interlocked.Exchange(ref disposedOnce, 1) == 1) return;
        try
        {
            await Local.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            disposed?.Invoke();
        }
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
/// Loads model versions on first use (once, however many requests ask at the same time) and keeps at
/// most <see cref="ModelManagerSettings.MaxLoadedModels"/> in memory, counting those being loaded and
/// those unloaded but still finishing a request: a load takes one of that many slots, and when none is
/// free it unloads the least recently used version no request holds, or waits until one can be. A
/// version that failed to load is remembered with the reason, so that it is reported and every other
/// version keeps serving; a failure of its files is tried again once they change, a failure that may
/// pass (out of memory, an I/O error) after a short back-off.
/// </summary>
public sealed partial class ModelManager : IAsyncDisposable
{
    readonly ModelManagerSettings options;
    readonly ILogger<ModelManager> logger;
    readonly ConcurrentDictionary<string, Lazy<Task<LoadedReader>>> loaded = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, LoadFailure> failures = new(StringComparer.Ordinal);
    readonly Lock evictionGate = new();
    readonly SemaphoreSlim slots;
    readonly Func<ModelEntry, ModelManagerSettings, LocalReader> load;
    readonly TimeSpan retryAfter;
    long clock;

    /// <summary>Why a version failed to load; <paramref name="RetryAt"/> is set for a failure that may pass.</summary>
    sealed record LoadFailure(string Reason, DateTime Stamp, DateTime? RetryAt, Exception Error);

    public ModelManager(ModelManagerSettings settings, ILogger<ModelManager> logger)
        : this(settings, logger, LoadFromFolder, TimeSpan.FromSeconds(5))
    {
    }

    /// <param name="load">Builds a reader from a version folder (tests wrap the real one to inject failures).</param>
    /// <param name="retryAfter">Wait before a version whose load failed transiently is tried again.</param>
    internal ModelManager(ModelManagerSettings settings, ILogger<ModelManager> logger,
        Func<ModelEntry, ModelManagerSettings, LocalReader> load, TimeSpan retryAfter)
    {
        ArgumentNullException.ThrowIfNull(settings);
        options = settings;
        this.logger = logger;
        this.load = load;
        this.retryAfter = retryAfter;
        slots = new SemaphoreSlim(settings.MaxLoadedModels, settings.MaxLoadedModels);
        Repository = new ModelRepository(settings.ModelRepository);
        if (settings.Threads > 0) torch.set_num_threads(settings.Threads);
    }

    /// <summary>Versions in memory now: loaded, being loaded, or unloaded but still finishing a request.</summary>
    public int ResidentVersions => options.MaxLoadedModels - slots.CurrentCount;

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
                bool again = failure.RetryAt is { } at ? DateTime.UtcNow >= at : failure.Stamp != FolderStamp(entry.Folder);
                if (!again) throw Failed(entry, failure);
                failures.TryRemove(new KeyValuePair<string, LoadFailure>(entry.Key, failure));
            }
            var lazy = loaded.GetOrAdd(entry.Key, _ => new Lazy<Task<LoadedReader>>(() => LoadIntoSlotAsync(entry)));
            LoadedReader reader;
            try
            {
                reader = await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                bool transient = IsTransient(e);
                var reason = ReasonOf(e);
                var recorded = new LoadFailure(reason, FolderStamp(entry.Folder), transient ? DateTime.UtcNow + retryAfter : null, e);
                failures[entry.Key] = recorded;
                loaded.TryRemove(new KeyValuePair<string, Lazy<Task<LoadedReader>>>(entry.Key, lazy));
                LogLoadFailed(logger, e, entry.Key, reason);
                throw Failed(entry, recorded);
            }
            if (!reader.TryAcquire()) continue; // evicted meanwhile: load it again
            Interlocked.Exchange(ref reader.LastUsed, Interlocked.Increment(ref clock));
            return new ModelLease(reader);
        }
    }

    static ModelLoadException Failed(ModelEntry entry, LoadFailure failure) => new(
        $"model {entry.Key} cannot be loaded: {failure.Reason}" + (failure.RetryAt is null ? "" : "; it is tried again shortly"),
        failure.Error, transient: failure.RetryAt is not null);

    /// <summary>What a load failure says about the folder: the message of the loader's own exceptions, else the type too.</summary>
    static string ReasonOf(Exception e) =>
        e is ModelLoadException or CheckpointException or InvalidDataException or NotSupportedException
            or FileNotFoundException or DirectoryNotFoundException or DeviceUnavailableException
            ? e.Message
            : $"{e.GetType().Name}: {e.Message}";

    /// <summary>
    /// Loads a folder that is not (yet) a version of the repository — an upload being checked — in one of
    /// the <see cref="ModelManagerSettings.MaxLoadedModels"/> slots, the way a version is loaded, runs
    /// <paramref name="use"/> on it and unloads it. A failed load becomes a <see cref="ModelLoadException"/>
    /// with the reason a version's load would give (<see cref="ModelLoadException.Transient"/> included).
    /// </summary>
    public async Task<T> TryFolderAsync<T>(string folder, string label, Func<LocalReader, Task<T>> use, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(use);
        cancellationToken.ThrowIfCancellationRequested();
        await TakeSlotAsync(folder).ConfigureAwait(false);
        try
        {
            LocalReader local;
            try
            {
                LogLoading(logger, label, folder);
                local = await Task.Run(() => load(new ModelEntry(label, "", folder), options), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                var reason = ReasonOf(e);
                LogLoadFailed(logger, e, label, reason);
                return IsTransient(e)
                    ? throw new ModelLoadException($"{reason}; try again shortly", e, transient: true)
                    : throw new ModelLoadException(reason, e);
            }
            await using (local.ConfigureAwait(false))
            {
                return await use(local).ConfigureAwait(false);
            }
        }
        finally
        {
            slots.Release();
        }
    }

    /// <summary>
    /// Whether a load failure may pass by itself: memory that ran out (the CLR's, or libtorch's allocator
    /// reporting through TorchSharp) or an I/O error while reading. Missing and malformed files do not.
    /// </summary>
    static bool IsTransient(Exception e) => e switch
    {
        OutOfMemoryException => true,
        FileNotFoundException or DirectoryNotFoundException or EndOfStreamException => false,
        IOException => true,
        System.Runtime.InteropServices.ExternalException external =>
            external.Message.Contains("out of memory", StringComparison.OrdinalIgnoreCase)
            || external.Message.Contains("can't allocate memory", StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    /// <summary>Takes a slot (waiting for one if need be), loads the version into it, and gives the slot back if the load fails.</summary>
    async Task<LoadedReader> LoadIntoSlotAsync(ModelEntry entry)
    {
        await TakeSlotAsync(entry.Key).ConfigureAwait(false);
        try
        {
            LogLoading(logger, entry.Key, entry.Folder);
            var local = await Task.Run(() => load(entry, options)).ConfigureAwait(false);
            if (local.Report.Unexpected.Count > 0)
                LogUnexpected(logger, entry.Key, local.Report.Unexpected.Count, local.Report.Unexpected);
            if (local.PrecisionFallback is { } fallback) LogPrecisionFallback(logger, entry.Key, options.Precision, fallback);
            LogLoaded(logger, entry.Key, local.Config.ModelType, local.Parameters, local.Executor.Device, local.ElementType);
            return new LoadedReader(entry, local, () => slots.Release());
        }
        catch
        {
            slots.Release();
            throw;
        }
    }

    /// <summary>
    /// Waits for a free slot. While there is none, the least recently used version that no request
    /// holds is unloaded (its slot frees once its memory is given back); when every resident version is
    /// in use, the load waits until one is not.
    /// </summary>
    async Task TakeSlotAsync(string key)
    {
        while (!slots.Wait(0))
        {
            EvictIdle(key);
            if (await slots.WaitAsync(TimeSpan.FromMilliseconds(50)).ConfigureAwait(false)) return;
        }
    }

    void EvictIdle(string keep)
    {
        lock (evictionGate)
        {
            var victim = loaded
                .Where(p => p.Key != keep && p.Value.IsValueCreated && p.Value.Value.IsCompletedSuccessfully && !p.Value.Value.Result.InUse)
                .OrderBy(p => Interlocked.Read(ref p.Value.Value.Result.LastUsed))
                .FirstOrDefault();
            if (victim.Value is null || !loaded.TryRemove(victim)) return;
            LogUnloading(logger, victim.Key);
            victim.Value.Value.Result.Evict();
        }
    }

    /// <summary>The real load: config, tokenizer and weights from the version's folder.</summary>
    internal static LocalReader LoadFromFolder(ModelEntry entry, ModelManagerSettings settings) => ReaderFactory.Load(
        entry.Folder, settings.Device, settings.Precision, settings.Batching, settings.Windows, settings.MaxBatchWindows);

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
        var defaultName = ModelRepository.DefaultName(entries, options.DefaultModel);
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
