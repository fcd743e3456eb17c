using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Cjk;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Analysis.Util;
using Lucene.Net.Util;
using Mrc.Retrieval.Analysis.Korean;
using Mrc.Retrieval.Settings;

namespace Mrc.Retrieval.Analysis;

/// <summary>
/// The analyzers an index can be built with, by the name stored in its settings, and the settings'
/// word lists (user dictionary, synonyms, stop words) put into the chain. The same settings are
/// used again at query time, so a query is always cut into the same kind of tokens as the passages.
/// </summary>
public static class AnalyzerCatalog
{
    public const string KoreanBigram = "korean-bigram";
    public const string Standard = "standard";
    public const string WhitespaceBigram = "whitespace-bigram";
    public const string KoreanUnigramBigram = "korean-unigram-bigram";
    public const string KoreanMorpheme = "korean-morpheme";

    /// <summary>
    /// The default: Korean words carry particles (서울에서, 서울의), so whole-word tokens rarely match;
    /// bigrams do, and single characters catch one-letter words (docs/retrieval.md has the figures).
    /// </summary>
    public const string Default = KoreanUnigramBigram;

    internal static readonly LuceneVersion Version = LuceneVersion.LUCENE_48;

    public static IReadOnlyList<string> Names { get; } = [KoreanBigram, Standard, WhitespaceBigram, KoreanUnigramBigram, KoreanMorpheme];

    public static bool IsKnown(string name) => Names.Contains(name, StringComparer.Ordinal);

    /// <summary>A new analyzer named <paramref name="name"/> with no word lists; the caller disposes it.</summary>
    public static Analyzer Create(string name) => Create(IndexSettings.Bare(name));

    /// <summary>
    /// A new analyzer for <paramref name="settings"/>; the caller disposes it. The chain: words
    /// (Unicode word boundaries), width folding and lower case; then user-dictionary and synonym
    /// words cut out whole; then stop words dropped; then the analyzer's bigram stage, which leaves
    /// dictionary words whole; then stop words dropped again, so a stop word can also be a bigram.
    /// </summary>
    public static Analyzer Create(IndexSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!IsKnown(settings.Analyzer))
            throw new ArgumentException($"Unknown analyzer '{settings.Analyzer}'. Known analyzers: {string.Join(", ", Names)}.", nameof(settings));
        var dictionary = DictionaryFilter.Entries(settings);
        var stopWords = settings.StopWords.Count == 0 ? null : new CharArraySet(Version, settings.StopWords.Select(Normalize).ToList(), ignoreCase: false);
        var main = settings.Analyzer == KoreanMorpheme ? Morphemes(dictionary, stopWords) : Create(settings.Analyzer, dictionary, stopWords);
        if (settings.WordsBoost <= 0) return main;
        var words = settings.WordsAnalyzer == WordsAnalysis.Particles ? WordsWithoutParticles(dictionary, stopWords) : Morphemes(dictionary, stopWords);
        return new FieldAnalyzers(main, words);
    }

    static Analyzer Create(string name, Dictionary<string, string> dictionary, CharArraySet? stopWords) =>
        Analyzer.NewAnonymous((_, reader) =>
        {
            var source = new StandardTokenizer(Version, reader);
            TokenStream stream = Words(name, source);
            if (dictionary.Count > 0) stream = new DictionaryFilter(stream, dictionary);
            if (stopWords is not null) stream = new StopFilter(Version, stream, stopWords);
            stream = name switch
            {
                // Lucene's CJKBigramFilter: Hangul and Han runs become overlapping bigrams (대한민국 → 대한 한민 민국).
                KoreanBigram => new CJKBigramFilter(stream),
                // The same bigrams plus every Hangul and Han character on its own (one-letter words, names).
                KoreanUnigramBigram => new CJKBigramFilter(stream, CJKScript.HAN | CJKScript.HIRAGANA | CJKScript.KATAKANA | CJKScript.HANGUL, outputUnigrams: true),
                // Each word as typed plus, for Hangul and Han words, its bigrams at the same position.
                WhitespaceBigram => new WordAndBigramFilter(stream),
                _ => stream,
            };
            if (stopWords is not null && name != Standard) stream = new StopFilter(Version, stream, stopWords);
            return new TokenStreamComponents(source, stream);
        });

    /// <summary>
    /// Nori's KoreanAnalyzer chain (content morphemes, readings for Hanja, lower case) with the
    /// settings' words: dictionary and synonym words are user words of the analysis, so they come
    /// out whole; synonyms then become their group's first member; stop words are dropped.
    /// </summary>
    static Analyzer Morphemes(Dictionary<string, string> dictionary, CharArraySet? stopWords)
    {
        // Load the lexicon (about a second) when the index is opened, not on its first search.
        _ = KoreanLexicon.Default;
        return Analyzer.NewAnonymous((_, reader) =>
        {
            var source = new KoreanMorphemeTokenizer(reader, dictionary.Keys);
            TokenStream stream = new LowerCaseFilter(Version, source);
            if (dictionary.Count > 0) stream = new DictionaryFilter(stream, dictionary);
            if (stopWords is not null) stream = new StopFilter(Version, stream, stopWords);
            return new TokenStreamComponents(source, stream);
        });
    }

    /// <summary>The words field's chain: whole words, dictionary words cut out, stop words dropped, particles taken off.</summary>
    static Analyzer WordsWithoutParticles(Dictionary<string, string> dictionary, CharArraySet? stopWords) =>
        Analyzer.NewAnonymous((_, reader) =>
        {
            var source = new StandardTokenizer(Version, reader);
            TokenStream stream = new LowerCaseFilter(Version, new CJKWidthFilter(source));
            if (dictionary.Count > 0) stream = new DictionaryFilter(stream, dictionary);
            if (stopWords is not null) stream = new StopFilter(Version, stream, stopWords);
            stream = new ParticleStripFilter(stream);
            if (stopWords is not null) stream = new StopFilter(Version, stream, stopWords);
            return new TokenStreamComponents(source, stream);
        });

    /// <summary>The words field gets its own chain; every other field the analyzer's. Disposes both.</summary>
    sealed class FieldAnalyzers(Analyzer main, Analyzer words) : AnalyzerWrapper(PER_FIELD_REUSE_STRATEGY)
    {
        protected override Analyzer GetWrappedAnalyzer(string fieldName) => fieldName == Indexing.PassageFields.Words ? words : main;

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                main.Dispose();
                words.Dispose();
            }
            base.Dispose(disposing);
        }
    }

    /// <summary>The word stage of each analyzer, before any word list or bigram.</summary>
    static TokenStream Words(string name, StandardTokenizer source) => name switch
    {
        // What Lucene's CJKAnalyzer does before bigramming, without its English stop words.
        KoreanBigram or WhitespaceBigram or KoreanUnigramBigram => new LowerCaseFilter(Version, new CJKWidthFilter(source)),
        // Exactly Lucene's StandardAnalyzer: whole words, lower-cased, English stop words removed, the
        // baseline that shows how badly particles hurt.
        Standard => new StopFilter(Version, new LowerCaseFilter(Version, new StandardFilter(Version, source)), StandardAnalyzer.STOP_WORDS_SET),
        _ => throw new ArgumentException($"Unknown analyzer '{name}'.", nameof(name)),
    };

    /// <summary>How a word of a settings file is compared with the text's words (they are lower-cased too).</summary>
    public static string Normalize(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        return word.ToLowerInvariant();
    }

    /// <summary>True when the tokenizer reads <paramref name="word"/> as exactly one word, unchanged.</summary>
    public static bool IsOneWord(string word)
    {
        if (string.IsNullOrEmpty(word)) return false;
        using var tokenizer = new StandardTokenizer(Version, new StringReader(word));
        var term = tokenizer.AddAttribute<ICharTermAttribute>();
        tokenizer.Reset();
        int count = 0;
        bool whole = false;
        while (tokenizer.IncrementToken())
        {
            count++;
            whole = term.ToString() == word;
        }
        tokenizer.End();
        return count == 1 && whole;
    }
}
