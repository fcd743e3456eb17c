using Microsoft.Extensions.Options;
using Mrc.Retrieval.Elasticsearch;
using Mrc.Retrieval.Lifecycle;
using Mrc.Retrieval.Search;
using Mrc.Retrieval.Settings;

namespace Mrc.Retriever.Indexes;

/// <summary>
/// Every index of Retriever:IndexPath and Retriever:Indexes, by name; an empty name is the default
/// index. Retriever:Backend decides what they are: Lucene folders or Elasticsearch aliases.
/// </summary>
public sealed class ServedIndexes : IDisposable
{
    readonly Dictionary<string, ServedIndex> byName = new(StringComparer.Ordinal);

    public ServedIndexes(IOptions<RetrieverOptions> options, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        var config = options.Value;
        foreach (var (name, path) in config.AllIndexes())
        {
            var expected = config.ExpectedSettings.TryGetValue(name, out var file) ? IndexSettingsFile.Load(file) : null;
            IPassageIndex index = config.Backend == RetrievalBackend.Elasticsearch
                ? new ElasticsearchPassageIndex(config.Elasticsearch.ToConnection(), path, config.BatchParallelism)
                : new LucenePassageIndex(new IndexHost(path, config.ScoringOverride, loggers.CreateLogger<IndexHost>()), config.BatchParallelism, config.MaxScoreFrom);
            byName.Add(name, new ServedIndex(name, index, expected, name == RetrieverOptions.DefaultIndexName));
        }
        All = [.. byName.Values];
    }

    /// <summary>The default index first, then the others by name.</summary>
    public IReadOnlyList<ServedIndex> All { get; }

    public ServedIndex Default => byName[RetrieverOptions.DefaultIndexName];

    /// <summary>The index a request names; an empty name means the default one.</summary>
    public ServedIndex Get(string name) =>
        name.Length == 0 ? Default
        : byName.TryGetValue(name, out var index) ? index
        : throw new UnknownIndexException(name, byName.Keys);

    public void Dispose()
    {
        foreach (var index in All) index.Index.Dispose();
    }
}

/// <summary>A request named an index this service does not serve.</summary>
public sealed class UnknownIndexException(string name, IEnumerable<string> known)
    : Exception($"There is no index named '{name}'. This service serves: {string.Join(", ", known)} (an empty name is '{RetrieverOptions.DefaultIndexName}').")
{
    public string Name { get; } = name;
}
