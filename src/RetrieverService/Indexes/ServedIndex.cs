using Mrc.Retrieval.Search;
using Mrc.Retrieval.Settings;

namespace Mrc.Retriever.Indexes;

/// <summary>
/// One index the service answers from: its name, the index itself (a Lucene folder or an
/// Elasticsearch alias, which swaps in rebuilds on reload), and the settings it is expected to have
/// been built with.
/// </summary>
public sealed class ServedIndex(string name, IPassageIndex index, IndexSettings? expected, bool isDefault)
{
    public string Name { get; } = name;
    public IPassageIndex Index { get; } = index;
    public bool IsDefault { get; } = isDefault;

    /// <summary>The settings file configured for this index (Retriever:ExpectedSettings), if any.</summary>
    public IndexSettings? Expected { get; } = expected;

    /// <summary>
    /// Null when the generation matches what is expected (or nothing is); otherwise which keys
    /// differ. Searches still use the generation's own settings: its tokens were made with them.
    /// </summary>
    public string? SettingsMismatch(IndexSettings built)
    {
        ArgumentNullException.ThrowIfNull(built);
        if (Expected is null) return null;
        var keys = built.DifferingKeys(Expected);
        return keys.Count == 0
            ? null
            : $"Index '{Name}' was built with other settings than Retriever:ExpectedSettings:{Name} gives ({string.Join(", ", keys)}); "
                + "it is searched with the settings it was built with. Rebuild it with the expected settings file, or update the configuration.";
    }
}
