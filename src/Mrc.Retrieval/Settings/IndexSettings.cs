using Mrc.Retrieval.Analysis;
using Mrc.Retrieval.Search;

namespace Mrc.Retrieval.Settings;

/// <summary>
/// How one index analyses and scores text, given as data (a settings file, like Elasticsearch's
/// index settings) and stored inside every index generation, so searches always analyse a query
/// the way the passages were analysed. Read and written by <see cref="IndexSettingsFile"/>.
/// </summary>
public sealed record IndexSettings
{
    /// <summary>Tokenizer and bigram stage: a name from <see cref="AnalyzerCatalog"/>.</summary>
    public string Analyzer { get; init; } = AnalyzerCatalog.Default;

    /// <summary>How the words field cuts the text into words: a name from <see cref="WordsAnalysis"/>.</summary>
    public string WordsAnalyzer { get; init; } = WordsAnalysis.Default;

    /// <summary>
    /// Tokens dropped at index and query time: whole words before bigramming, and bigrams after it.
    /// By default the question words and their bigrams (<see cref="QuestionWords"/>).
    /// </summary>
    public IReadOnlyList<string> StopWords { get; init; } = QuestionWords;

    /// <summary>
    /// Words kept whole as one token wherever they occur, even glued to a particle inside a longer
    /// Korean word (국립중앙박물관에서 → 국립중앙박물관 + 에서): compound nouns that bigrams would cut apart.
    /// </summary>
    public IReadOnlyList<string> UserDictionary { get; init; } = [];

    /// <summary>
    /// Groups of equivalent words. Each member is found like a user-dictionary word and indexed and
    /// searched as the group's first member, so any member of a group matches any other.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<string>> Synonyms { get; init; } = [];

    /// <summary>Weight of a match in the passage text.</summary>
    public float TextBoost { get; init; } = 1f;

    /// <summary>Weight of a match in the document title, searched as its own field; 0 does not index titles.</summary>
    public float TitleBoost { get; init; } = 0.5f;

    /// <summary>
    /// Weight of a whole-word match (particles taken off) in the passage text, searched as its own
    /// field beside the analyzer's tokens; 0 does not index words.
    /// </summary>
    public float WordsBoost { get; init; } = 3f;

    /// <summary>BM25 k1 (term-frequency saturation) searches of this index use unless a request overrides it.</summary>
    public float K1 { get; init; } = ScoringSettings.Tuned.K1;

    /// <summary>BM25 b (length normalisation) searches of this index use unless a request overrides it.</summary>
    public float B { get; init; } = ScoringSettings.Tuned.B;

    /// <summary>
    /// Questions ask with these words (무엇인가, 누구의, 어디에서, 몇 년): passages that happen to contain
    /// them are no more likely to hold the answer, so they and their bigrams are not searched.
    /// </summary>
    // Declared before Default, which reads it while static fields are initialised in order.
    public static IReadOnlyList<string> QuestionWords { get; } =
    [
        "무엇", "무엇인", "엇인", "엇을", "엇이", "엇은", "인가", "누구", "누구인", "구인", "어디", "어디인", "디인",
        "언제", "언제인", "얼마", "얼마인", "마인", "몇", "어느", "무슨", "어떤", "어떻게", "어떻", "떻게", "왜",
        "는가", "었는", "였는",
    ];

    /// <summary>
    /// The defaults of this project, tuned on the first half (by article) of KorQuAD 1.0 dev part a
    /// (docs/retrieval.md): unigrams and bigrams, whole words without particles beside them (boost 1),
    /// titles (boost 0.5), question words dropped, BM25 k1 0.2 and b 1.0.
    /// </summary>
    public static IndexSettings Default { get; } = new();

    /// <summary>The scoring this index was tuned for.</summary>
    public ScoringSettings Scoring => new(SimilarityKind.Bm25, K1, B);

    /// <summary>
    /// The analyzer <paramref name="analyzer"/> alone: no word lists, the text field only, BM25 k1
    /// 0.2 and b 1.0. How every index was built before settings existed.
    /// </summary>
    public static IndexSettings Bare(string analyzer) => new() { Analyzer = analyzer, StopWords = [], TitleBoost = 0, WordsBoost = 0 };

    /// <summary>The keys whose values differ between this and <paramref name="other"/>, for messages.</summary>
    public IReadOnlyList<string> DifferingKeys(IndexSettings other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var keys = new List<string>();
        if (Analyzer != other.Analyzer) keys.Add(IndexSettingsFile.Keys.Analyzer);
        if (WordsAnalyzer != other.WordsAnalyzer) keys.Add(IndexSettingsFile.Keys.WordsAnalyzer);
        if (!StopWords.SequenceEqual(other.StopWords)) keys.Add(IndexSettingsFile.Keys.StopWords);
        if (!UserDictionary.SequenceEqual(other.UserDictionary)) keys.Add(IndexSettingsFile.Keys.UserDictionary);
        if (Synonyms.Count != other.Synonyms.Count || Synonyms.Zip(other.Synonyms).Any(p => !p.First.SequenceEqual(p.Second)))
            keys.Add(IndexSettingsFile.Keys.Synonyms);
        if (TextBoost != other.TextBoost) keys.Add($"{IndexSettingsFile.Keys.FieldBoosts}.{IndexSettingsFile.Keys.Text}");
        if (TitleBoost != other.TitleBoost) keys.Add($"{IndexSettingsFile.Keys.FieldBoosts}.{IndexSettingsFile.Keys.Title}");
        if (WordsBoost != other.WordsBoost) keys.Add($"{IndexSettingsFile.Keys.FieldBoosts}.{IndexSettingsFile.Keys.Words}");
        if (K1 != other.K1) keys.Add($"{IndexSettingsFile.Keys.Bm25}.{IndexSettingsFile.Keys.K1}");
        if (B != other.B) keys.Add($"{IndexSettingsFile.Keys.Bm25}.{IndexSettingsFile.Keys.B}");
        return keys;
    }
}
