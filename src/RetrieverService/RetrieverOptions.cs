using System.ComponentModel.DataAnnotations;
using Mrc.Retrieval.Search;

namespace Mrc.Retriever;

/// <summary>The "Retriever" configuration section: which index to serve, default scoring, and request limits.</summary>
public sealed class RetrieverOptions : IValidatableObject
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

    /// <summary>Upper bounds that keep one request from monopolising the service.</summary>
    const int TopKCeiling = 1000, BatchCeiling = 10_000, QueryCharsCeiling = 100_000;

    /// <summary>Every problem of the section at start-up, so a bad setting stops the service with a clear message instead of failing requests.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        string section = SectionName;
        if (string.IsNullOrWhiteSpace(IndexPath))
            yield return Fail($"{section}:IndexPath is not set: point it at a folder built with `mrc index build --out DIR`.");
        if (!Enum.IsDefined(Similarity))
            yield return Fail($"{section}:Similarity must be Bm25 or Tfidf.");
        if (!ScoringSettings.K1InRange(K1))
            yield return Fail(FormattableString.Invariant($"{section}:K1 must be in [{ScoringSettings.MinK1}, {ScoringSettings.MaxK1}], not {K1}."));
        if (!ScoringSettings.BInRange(B))
            yield return Fail(FormattableString.Invariant($"{section}:B must be in [{ScoringSettings.MinB}, {ScoringSettings.MaxB}], not {B}."));
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
        if (ReloadInterval <= TimeSpan.Zero)
            yield return Fail($"{section}:ReloadInterval must be positive, not {ReloadInterval}.");
    }

    static ValidationResult Fail(string message) => new(message);
}
