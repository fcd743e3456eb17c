using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Mrc.Retrieval.Indexing;
using Mrc.Retrieval.Search;

namespace Mrc.Retrieval.Lifecycle;

/// <summary>
/// Keeps the live generation of one index folder open and swaps to a newer one when a build
/// publishes it. Searches take a <see cref="SearcherLease"/>; a swap never waits for them and never
/// pulls a generation from under one.
/// </summary>
public sealed partial class IndexHost : IDisposable
{
    readonly ScoringOverride? scoringOverride;
    readonly ILogger logger;
    readonly Lock swapLock = new();
    IndexHandle? current;
    bool disposed;

    /// <summary>
    /// A host for the index folder <paramref name="indexDirectory"/>; its searches score with
    /// <paramref name="scoringOverride"/> over each generation's own settings.
    /// </summary>
    public IndexHost(string indexDirectory, ScoringOverride? scoringOverride = null, ILogger<IndexHost>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(indexDirectory);
        IndexDirectory = Path.GetFullPath(indexDirectory);
        this.scoringOverride = scoringOverride;
        this.logger = logger ?? NullLogger<IndexHost>.Instance;
    }

    public string IndexDirectory { get; }

    /// <summary>Opens the index now; throws <see cref="IndexUnavailableException"/> when there is none.</summary>
    public static IndexHost Open(string indexDirectory, ScoringOverride? scoringOverride = null)
    {
        var host = new IndexHost(indexDirectory, scoringOverride);
        try
        {
            host.Acquire().Dispose();
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>The settings of the generation searches currently use.</summary>
    public Settings.IndexSettings Settings
    {
        get
        {
            using var lease = Acquire();
            return lease.Index.Settings;
        }
    }

    /// <summary>The metadata of the generation searches currently use.</summary>
    public IndexMetadata Metadata
    {
        get
        {
            using var lease = Acquire();
            return lease.Index.Metadata;
        }
    }

    /// <summary>
    /// A searcher on the live generation. Opens the index on first use (so a service can start
    /// before its index is built); <see cref="IndexUnavailableException"/> when there is none.
    /// </summary>
    public SearcherLease Acquire()
    {
        while (true)
        {
            var handle = Volatile.Read(ref current) ?? OpenFirst();
            // A swap can retire the handle between the read and the reference; then take the new one.
            if (!handle.TryAddReference()) continue;
            return new SearcherLease(handle, handle.AcquireSearcher());
        }
    }

    /// <summary>
    /// Swaps in the generation CURRENT points to when it is newer than the one in use. Returns true
    /// when it swapped. A new generation that cannot be opened is logged and the old one kept.
    /// </summary>
    public bool Reload()
    {
        var published = IndexLayout.ReadCurrent(IndexDirectory);
        if (published is null || published.Value.Name == Volatile.Read(ref current)?.GenerationName) return false;
        lock (swapLock)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (published.Value.Name == current?.GenerationName) return false;
            IndexHandle fresh;
            try
            {
                fresh = IndexHandle.Open(IndexDirectory, scoringOverride);
            }
            catch (IndexUnavailableException e) when (current is not null)
            {
                LogReloadFailed(logger, published.Value.Name, current.GenerationName, e.Message);
                return false;
            }
            var old = current;
            Volatile.Write(ref current, fresh);
            old?.Retire();
            LogSwapped(logger, fresh.GenerationName, fresh.Metadata.PassageCount, fresh.Metadata.Analyzer);
            return true;
        }
    }

    IndexHandle OpenFirst()
    {
        lock (swapLock)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (current is null)
            {
                var handle = IndexHandle.Open(IndexDirectory, scoringOverride);
                Volatile.Write(ref current, handle);
                LogSwapped(logger, handle.GenerationName, handle.Metadata.PassageCount, handle.Metadata.Analyzer);
            }
            return current;
        }
    }

    public void Dispose()
    {
        lock (swapLock)
        {
            if (disposed) return;
            disposed = true;
            current?.Retire();
            current = null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving index generation {Generation}: {Passages} passages, analyzer {Analyzer}")]
    static partial void LogSwapped(ILogger logger, string generation, long passages, string analyzer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Index generation {Generation} could not be opened; still serving {Serving}: {Reason}")]
    static partial void LogReloadFailed(ILogger logger, string generation, string serving, string reason);
}
