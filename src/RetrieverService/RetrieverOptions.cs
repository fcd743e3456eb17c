using System.ComponentModel.DataAnnotations;
using Mrc.Core.Data;
using Mrc.Retrieval.Elasticsearch;
using Mrc.Retrieval.Search;
using Mrc.Retrieval.Settings;

namespace Mrc.Retriever;

/// <summary>The "Retriever" configuration section: which indexes to serve, default scoring, and request limits.</summary>
public sealed class RetrieverOptions : IValidatableObject
{
    public const string SectionName = "Retriever";

    /// <summary>The name of the index at <see cref="IndexPath"/>, the one a request without an index name searches.</summary>
    public const string DefaultIndexName = "default";

    /// <summary>What holds the indexes: Lucene index folders searched in-process (the default), or an Elasticsearch server.</summary>
    public RetrievalBackend Backend { get; set; } = RetrievalBackend.Lucene;

    /// <summary>The server when <see cref="Backend"/> is Elasticsearch.</summary>
    public ElasticsearchOptions Elasticsearch { get; set; } = new();

    /// <summary>
    /// The default index: a folder written by <c>mrc index build --out DIR</c> (absolute, or relative to
    /// the working directory), or with the Elasticsearch backend the alias written by
    /// <c>mrc index build --backend elasticsearch --index NAME</c>.
    /// </summary>
    public string IndexPath { get; set; } = "";

    /// <summary>More indexes, by name (lower-case letters, digits, '-' and '_'): name → index folder (or Elasticsearch alias). Requests choose one with their <c>index</c> field.</summary>
    public Dictionary<string, string> Indexes { get; set; } = [];

    /// <summary>
    /// Optional, by index name ("default" for <see cref="IndexPath"/>): the settings file an index is
    /// expected to have been built with. An index built otherwise is still searched with its own
    /// settings (the ones its tokens were made with), and GetIndexInfo reports the difference.
    /// </summary>
    public Dictionary<string, string> ExpectedSettings { get; set; } = [];

    /// <summary>Scoring for every index when a request sets none; unset, each index scores with its own settings (BM25 k1 and b).</summary>
    public SimilarityKind? Similarity { get; set; }

    /// <summary>BM25 k1 for every index when a request sets none; unset, each index's own (0.2 unless its settings say otherwise).</summary>
    public float? K1 { get; set; }

    /// <summary>BM25 b for every index when a request sets none; unset, each index's own (1.0 unless its settings say otherwise).</summary>
    public float? B { get; set; }

    /// <summary>Passages returned when a request leaves top_k at 0.</summary>
    public int DefaultTopK { get; set; } = 10;

    /// <summary>Largest top_k a request may ask for.</summary>
    public int MaxTopK { get; set; } = 100;

    /// <summary>Most queries in one RetrieveBatch call.</summary>
    public int MaxBatchSize { get; set; } = 256;

    /// <summary>Longest query in characters: a question, not a document.</summary>
    public int MaxQueryChars { get; set; } = 1000;

    /// <summary>Threads one RetrieveBatch call searches on.</summary>
    public int BatchParallelism { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// Indexes of this many passages or more are searched with MaxScore pruning: the same top k,
    /// faster, with total_hits only a lower bound. Above every index's size (2147483647), every
    /// search is exhaustive and counts every match.
    /// </summary>
    public int MaxScoreFrom { get; set; } = PassageSearcher.DefaultMaxScoreFrom;

    /// <summary>How often the service looks for a newly published index generation.</summary>
    public TimeSpan ReloadInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>What the configuration sets over each index's own scoring.</summary>
    public ScoringOverride ScoringOverride => new(Similarity, K1, B);

    /// <summary>Every served index, name → folder: the default one first, then the others by name.</summary>
    public IEnumerable<KeyValuePair<string, string>> AllIndexes() =>
        Indexes.OrderBy(i => i.Key, StringComparer.Ordinal).Prepend(new(DefaultIndexName, IndexPath));

    /// <summary>Upper bounds that keep one request from monopolising the service.</summary>
    const int TopKCeiling = 1000, BatchCeiling = 10_000, QueryCharsCeiling = 100_000;

    /// <summary>Every problem of the section at start-up, so a bad setting stops the service with a clear message instead of failing requests.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        string section = SectionName;
        if (!Enum.IsDefined(Backend))
            yield return Fail($"{section}:Backend must be Lucene or Elasticsearch.");
        if (string.IsNullOrWhiteSpace(IndexPath))
            yield return Fail(Backend == RetrievalBackend.Elasticsearch
                ? $"{section}:IndexPath is not set: give the alias built with `mrc index build --backend elasticsearch --index NAME`."
                : $"{section}:IndexPath is not set: point it at a folder built with `mrc index build --out DIR`.");
        if (Backend == RetrievalBackend.Elasticsearch)
            foreach (var problem in ElasticsearchProblems()) yield return Fail(problem);
        foreach (var (name, path) in Indexes)
        {
            if (name == DefaultIndexName)
                yield return Fail($"{section}:Indexes:{DefaultIndexName} is the index at {section}:IndexPath; give this one another name.");
            else if (!IsIndexName(name))
                yield return Fail($"{section}:Indexes:{name}: an index name is 1 to 64 lower-case letters, digits, '-' or '_', starting with a letter or digit.");
            if (string.IsNullOrWhiteSpace(path))
                yield return Fail($"{section}:Indexes:{name} is empty: give the index folder built with `mrc index build --out DIR`.");
        }
        foreach (var (name, file) in ExpectedSettings)
        {
            if (name != DefaultIndexName && !Indexes.ContainsKey(name))
                yield return Fail($"{section}:ExpectedSettings:{name} names no index; the indexes are {string.Join(", ", AllIndexes().Select(i => i.Key))}.");
            else if (LoadProblem(file) is { } problem)
                yield return Fail($"{section}:ExpectedSettings:{name}: {problem}");
        }
        if (Similarity is { } similarity && !Enum.IsDefined(similarity))
            yield return Fail($"{section}:Similarity must be Bm25 or Tfidf.");
        if (K1 is { } k1 && !ScoringSettings.K1InRange(k1))
            yield return Fail(FormattableString.Invariant($"{section}:K1 must be in [{ScoringSettings.MinK1}, {ScoringSettings.MaxK1}], not {k1}."));
        if (B is { } b && !ScoringSettings.BInRange(b))
            yield return Fail(FormattableString.Invariant($"{section}:B must be in [{ScoringSettings.MinB}, {ScoringSettings.MaxB}], not {b}."));
        if (MaxTopK is < 1 or > TopKCeiling)
            yield return Fail($"{section}:MaxTopK must be in [1, {TopKCeiling}], not {MaxTopK}.");
        if (DefaultTopK < 1 || DefaultTopK > MaxTopK)
            yield return Fail($"{section}:DefaultTopK must be in [1, MaxTopK={MaxTopK}], not {DefaultTopK}.");
        if (MaxBatchSize is < 1 or > BatchCeiling)
            yield return Fail($"{section}:MaxBatchSize must be in [1, {BatchCeiling}], not {MaxBatchSize}.");
        if (MaxQueryChars is < 1 or > QueryCharsCeiling)
            yield return Fail($"{section}:MaxQueryChars must be in [1, {QueryCharsCeiling}], not {MaxQueryChars}.");
        if (BatchParallelism < 1)
            yield return Fail($"{section}:BatchParallelism must be at least 1, not {BatchParallelism}.");
        if (MaxScoreFrom < 1)
            yield return Fail($"{section}:MaxScoreFrom must be at least 1, not {MaxScoreFrom} (2147483647 turns pruning off).");
        if (ReloadInterval <= TimeSpan.Zero)
            yield return Fail($"{section}:ReloadInterval must be positive, not {ReloadInterval}.");
    }

    static ValidationResult Fail(string message) => new(message);

    /// <summary>What the Elasticsearch backend cannot do with this configuration.</summary>
    IEnumerable<string> ElasticsearchProblems()
    {
        string section = ElasticsearchOptions.SectionName;
        if (ElasticsearchConnection.Problem(Elasticsearch.Url, Elasticsearch.ApiKey, Elasticsearch.Username, Elasticsearch.Password) is { } connection)
            yield return $"{section}: {connection} Set {section}:Url (and ApiKey, or Username and Password, when the server asks for them).";
        if (Elasticsearch.RequestTimeout <= TimeSpan.Zero)
            yield return $"{section}:RequestTimeout must be positive, not {Elasticsearch.RequestTimeout}.";
        foreach (var (name, alias) in AllIndexes())
            if (!string.IsNullOrWhiteSpace(alias) && ElasticsearchIndexBuilder.AliasProblem(alias) is { } problem)
                yield return $"{(name == DefaultIndexName ? $"{SectionName}:IndexPath" : $"{SectionName}:Indexes:{name}")} is not an Elasticsearch index name: {problem}";
        // Elasticsearch fixes the similarity and its k1/b in the index mapping when the index is built.
        if (Similarity is not null || K1 is not null || B is not null)
            yield return $"{SectionName}:Similarity, K1 and B cannot be set with the Elasticsearch backend: it scores with the BM25 k1 and b of each index's settings. Rebuild the index with other bm25 settings instead.";
    }

    static bool IsIndexName(string name) =>
        name.Length is >= 1 and <= 64 && char.IsAsciiLetterLower(name[0]) | char.IsAsciiDigit(name[0])
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_');

    /// <summary>Why a settings file cannot be used, or null when it can.</summary>
    static string? LoadProblem(string file)
    {
        try
        {
            IndexSettingsFile.Load(file);
            return null;
        }
        catch (Exception e) when (e is DataFormatException or IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
    }
}
