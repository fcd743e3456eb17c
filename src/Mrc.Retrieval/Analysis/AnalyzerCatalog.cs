using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Cjk;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Util;

namespace Mrc.Retrieval.Analysis;

/// <summary>
/// The analyzers an index can be built with, by the name stored in its metadata. The same name is
/// used again at query time, so a query is always cut into the same kind of tokens as the passages.
/// </summary>
public static class AnalyzerCatalog
{
    public const string KoreanBigram = "korean-bigram";
    public const string Standard = "standard";
    public const string WhitespaceBigram = "whitespace-bigram";

    /// <summary>The default: Korean words carry particles (서울에서, 서울의), so whole-word tokens rarely match; bigrams do.</summary>
    public const string Default = KoreanBigram;

    internal static readonly LuceneVersion Version = LuceneVersion.LUCENE_48;

    public static IReadOnlyList<string> Names { get; } = [KoreanBigram, Standard, WhitespaceBigram];

    public static bool IsKnown(string name) => Names.Contains(name, StringComparer.Ordinal);

    /// <summary>A new analyzer for <paramref name="name"/>; the caller disposes it.</summary>
    public static Analyzer Create(string name) => name switch
    {
        // What Lucene's CJKAnalyzer does, without its English stop words: Hangul and Han runs become
        // overlapping bigrams (대한민국 → 대한 한민 민국), everything else stays a lower-cased word.
        KoreanBigram => Analyzer.NewAnonymous((_, reader) =>
        {
            var source = new StandardTokenizer(Version, reader);
            TokenStream stream = new CJKWidthFilter(source);
            stream = new LowerCaseFilter(Version, stream);
            stream = new CJKBigramFilter(stream);
            return new TokenStreamComponents(source, stream);
        }),
        // Whole words (Unicode word boundaries), lower-cased, English stop words removed: the baseline
        // that shows how badly particles hurt.
        Standard => new StandardAnalyzer(Version),
        // Each word as typed plus, for Hangul and Han words, its bigrams: exact word matches score on
        // top of the bigram matches that survive particles.
        WhitespaceBigram => Analyzer.NewAnonymous((_, reader) =>
        {
            var source = new StandardTokenizer(Version, reader);
            TokenStream stream = new CJKWidthFilter(source);
            stream = new LowerCaseFilter(Version, stream);
            stream = new WordAndBigramFilter(stream);
            return new TokenStreamComponents(source, stream);
        }),
        _ => throw new ArgumentException(
            $"Unknown analyzer '{name}'. Known analyzers: {string.Join(", ", Names)}.", nameof(name)),
    };
}
