namespace Mrc.Retrieval.Analysis;

/// <summary>
/// How the words field (settings key <c>words_analyzer</c>) cuts a text into words, beside the
/// analyzer's character n-grams in the text field.
/// </summary>
public static class WordsAnalysis
{
    /// <summary>
    /// Korean morphological analysis (<see cref="Korean.KoreanLattice"/>, Nori's method on Nori's
    /// dictionary): content morphemes only, so 대통령은 → 대통령 and 훈련했다 → 훈련.
    /// </summary>
    public const string Morphemes = "morphemes";

    /// <summary>Whole words with a trailing particle taken off from a fixed list (<see cref="ParticleStripFilter"/>).</summary>
    public const string Particles = "particles";

    public const string Default = Morphemes;

    public static IReadOnlyList<string> Names { get; } = [Morphemes, Particles];

    public static bool IsKnown(string name) => Names.Contains(name, StringComparer.Ordinal);
}
