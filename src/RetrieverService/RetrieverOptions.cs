using Microsoft.Extensions.Options;
using Mrc.Retriever.Search;

namespace Mrc.Retriever;

/// <summary>The "Retriever" configuration section: which index to serve, default scoring, and request limits.</summary>
public sealed class RetrieverOptions
{
    public const string SectionName = "Retriever";

    /// <summary>Index folder written by <c>mrc index build --out DIR</c> (absolute, or relative to the working directory).</summary>
    public string IndexPath { get; set; } = "";

    /// <summary>Scoring when a request sets none.</summary>
    public SimilarityKind Similarity { get; set; } = SimilarityKind.Bm25;

    /// <summary>
    /// Default BM25 k1, tuned on the first half of KorQuAD dev part a (docs/retrieval.md). Low because
    /// a bigram that occurs once in a passage already says most of what it can: repeats of common
    /// bigrams (particles, endings) should not outweigh rare ones.
    /// </summary>
    public float K1 { get; set; } = ScoringSettings.Tuned.K1;

    /// <summary>Default BM25 b, tuned with <see cref="K1"/>: full length normalisation, so long paragraphs do not win on size.</summary>
    public float B { get; set; } = ScoringSettings.Tuned.B;

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

    /// <summary>How often the service looks for a newly published index generation.</summary>
    public TimeSpan ReloadInterval { get; set; } = TimeSpan.FromSeconds(5);

    public ScoringSettings DefaultScoring => new(Similarity, K1, B);
}

/// <summary>Checks the options at start-up, so a bad setting stops the service with a clear message instead of failing requests.</summary>
public sealed class RetrieverOptionsValidator : IValidateOptions<RetrieverOptions>
{
    /// <summary>Upper bounds that keep one request from monopolising the service.</summary>
    const int TopKCeiling = 1000, BatchCeiling = 10_000, QueryCharsCeiling = 100_000;

    public ValidateOptionsResult Validate(string? name, RetrieverOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        string section = RetrieverOptions.SectionName;
        if (string.IsNullOrWhiteSpace(options.IndexPath))
            failures.Add($"{section}:IndexPath is not set: point it at a folder built with `mrc index build --out DIR`.");
        if (!Enum.IsDefined(options.Similarity))
            failures.Add($"{section}:Similarity must be Bm25 or Tfidf.");
        if (!ScoringSettings.K1InRange(options.K1))
            failures.Add(FormattableString.Invariant($"{section}:K1 must be in [{ScoringSettings.MinK1}, {ScoringSettings.MaxK1}], not {options.K1}."));
        if (!ScoringSettings.BInRange(options.B))
            failures.Add(FormattableString.Invariant($"{section}:B must be in [{ScoringSettings.MinB}, {ScoringSettings.MaxB}], not {options.B}."));
        if (options.MaxTopK is < 1 or > TopKCeiling)
            failures.Add($"{section}:MaxTopK must be in [1, {TopKCeiling}], not {options.MaxTopK}.");
        if (options.DefaultTopK < 1 || options.DefaultTopK > options.MaxTopK)
            failures.Add($"{section}:DefaultTopK must be in [1, MaxTopK={options.MaxTopK}], not {options.DefaultTopK}.");
        if (options.MaxBatchSize is < 1 or > BatchCeiling)
            failures.Add($"{section}:MaxBatchSize must be in [1, {BatchCeiling}], not {options.MaxBatchSize}.");
        if (options.MaxQueryChars is < 1 or > QueryCharsCeiling)
            failures.Add($"{section}:MaxQueryChars must be in [1, {QueryCharsCeiling}], not {options.MaxQueryChars}.");
        if (options.BatchParallelism < 1)
            failures.Add($"{section}:BatchParallelism must be at least 1, not {options.BatchParallelism}.");
        if (options.ReloadInterval <= TimeSpan.Zero)
            failures.Add($"{section}:ReloadInterval must be positive, not {options.ReloadInterval}.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
