using Lucene.Net.Search.Similarities;

namespace Mrc.Retrieval.Search;

/// <summary>Which scoring function ranks passages.</summary>
public enum SimilarityKind
{
    /// <summary>Okapi BM25 (Lucene <see cref="BM25Similarity"/>).</summary>
    Bm25,

    /// <summary>Lucene's classic TF-IDF (<see cref="DefaultSimilarity"/> in Lucene 4.8, ClassicSimilarity later); the baseline.</summary>
    Tfidf,
}

/// <summary>A similarity with its BM25 parameters (ignored by TF-IDF).</summary>
public sealed record ScoringSettings(SimilarityKind Similarity, float K1, float B)
{
    public const float MinK1 = 0f;
    public const float MaxK1 = 3f;
    public const float MinB = 0f;
    public const float MaxB = 1f;

    /// <summary>
    /// This project's defaults: BM25 with k1 and b tuned for the korean-bigram analyzer on the first
    /// half of KorQuAD 1.0 dev part a and reported on the other half (docs/retrieval.md).
    /// </summary>
    public static ScoringSettings Tuned { get; } = new(SimilarityKind.Bm25, 0.2f, 1.0f);

    /// <summary>Lucene's own BM25 defaults, the ones the Java reference figures were measured with.</summary>
    public static ScoringSettings LuceneDefaults { get; } = new(SimilarityKind.Bm25, 1.2f, 0.75f);

    public static bool K1InRange(float k1) => k1 is >= MinK1 and <= MaxK1;

    public static bool BInRange(float b) => b is >= MinB and <= MaxB;

    public Similarity CreateSimilarity() => Similarity switch
    {
        SimilarityKind.Bm25 => new BM25Similarity(K1, B),
        SimilarityKind.Tfidf => new DefaultSimilarity(),
        _ => throw new ArgumentOutOfRangeException(nameof(Similarity), Similarity, "Unknown similarity."),
    };

    public override string ToString() =>
        Similarity == SimilarityKind.Bm25 ? FormattableString.Invariant($"bm25(k1={K1}, b={B})") : "tfidf";
}

/// <summary>
/// Scoring an operator or a command line sets over an index's own settings: each part left null
/// keeps the index's value, so an index built with other k1/b is still scored as it was tuned.
/// </summary>
public sealed record ScoringOverride(SimilarityKind? Similarity = null, float? K1 = null, float? B = null)
{
    /// <summary><paramref name="index"/>'s scoring with the parts set here replaced.</summary>
    public ScoringSettings Over(ScoringSettings index)
    {
        ArgumentNullException.ThrowIfNull(index);
        return new(Similarity ?? index.Similarity, K1 ?? index.K1, B ?? index.B);
    }
}
