using Lucene.Net.Analysis;
using Lucene.Net.Analysis.TokenAttributes;

namespace Mrc.Retrieval.Analysis.Korean;

/// <summary>
/// A Lucene tokenizer over <see cref="KoreanLattice"/>: the text's morphemes, without the parts of
/// speech that carry no content (particles, endings, suffixes, punctuation; Nori's default stop
/// tags), Hanja words as their Hangul reading. With <see cref="Lucene.Net.Analysis.Core.LowerCaseFilter"/>
/// after it, the chain gives the tokens of Nori's KoreanAnalyzer with its defaults.
/// </summary>
public sealed class KoreanMorphemeTokenizer : Tokenizer
{
    /// <summary>The token type of every token (not a CJK type, so bigram filters leave it whole).</summary>
    public const string TokenType = "<MORPHEME>";

    /// <summary>
    /// Nori's KoreanPartOfSpeechStopFilter.DEFAULT_STOP_TAGS: endings (E), interjections (IC),
    /// particles (J), adverbs (MAG, MAJ), determiners (MM), punctuation and symbols (SP, SSC, SSO,
    /// SC, SE), prefixes and suffixes (XPN, XSA, XSN, XSV), and the analyzer's unknown classes.
    /// </summary>
    public static IReadOnlySet<string> StopTags { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "E", "IC", "J", "MAG", "MAJ", "MM", "SP", "SSC", "SSO", "SC", "SE", "XPN", "XSA", "XSN", "XSV", "UNA", "NA", "VSV",
    };

    readonly KoreanLattice lattice;
    readonly ICharTermAttribute term;
    readonly IOffsetAttribute offset;
    readonly ITypeAttribute type;
    readonly IPositionIncrementAttribute positionIncrement;
    List<KoreanMorpheme> morphemes = [];
    int next;
    int textLength;

    public KoreanMorphemeTokenizer(TextReader input, IEnumerable<string>? userWords = null) : base(input)
    {
        lattice = new KoreanLattice(KoreanLexicon.Default, userWords);
        term = AddAttribute<ICharTermAttribute>();
        offset = AddAttribute<IOffsetAttribute>();
        type = AddAttribute<ITypeAttribute>();
        positionIncrement = AddAttribute<IPositionIncrementAttribute>();
    }

    public override bool IncrementToken()
    {
        ClearAttributes();
        int skipped = 0;
        while (next < morphemes.Count)
        {
            var morpheme = morphemes[next++];
            if (StopTags.Contains(morpheme.Tag))
            {
                skipped++;
                continue;
            }
            term.SetEmpty().Append(morpheme.Reading ?? morpheme.Surface);
            offset.SetOffset(CorrectOffset(morpheme.Start), CorrectOffset(morpheme.End));
            type.Type = TokenType;
            positionIncrement.PositionIncrement = 1 + skipped;
            return true;
        }
        return false;
    }

    public override void Reset()
    {
        base.Reset();
        // The whole text is analysed at once: the best path may depend on anything after a word.
        string text = ReadAll(m_input);
        textLength = text.Length;
        morphemes = lattice.Analyze(text);
        next = 0;
    }

    /// <summary>The reader's text. Read in blocks: Lucene.Net's reusable string reader answers ReadToEnd with null for an empty text.</summary>
    static string ReadAll(TextReader reader)
    {
        var text = new System.Text.StringBuilder();
        var block = new char[4096];
        int read;
        while ((read = reader.Read(block, 0, block.Length)) > 0) text.Append(block, 0, read);
        return text.ToString();
    }

    public override void End()
    {
        base.End();
        int final = CorrectOffset(textLength);
        offset.SetOffset(final, final);
    }
}
