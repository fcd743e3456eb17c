using Lucene.Net.Analysis;
using Lucene.Net.Analysis.TokenAttributes;

namespace Mrc.Retrieval.Analysis;

/// <summary>
/// Passes every word through and, after a Hangul or Han word longer than two characters, also emits
/// its character bigrams at the same position; a user-dictionary word stays whole. The word keeps exact matches strong; the bigrams
/// still match when a particle is glued to the word (서울특별시에서 shares 서울, 특별, 별시 with 서울특별시).
/// </summary>
internal sealed class WordAndBigramFilter : TokenFilter
{
    readonly ICharTermAttribute term;
    readonly IPositionIncrementAttribute positionIncrement;
    readonly ITypeAttribute type;
    string? word;
    int nextBigram;

    public WordAndBigramFilter(TokenStream input) : base(input)
    {
        term = AddAttribute<ICharTermAttribute>();
        positionIncrement = AddAttribute<IPositionIncrementAttribute>();
        type = AddAttribute<ITypeAttribute>();
    }

    public override bool IncrementToken()
    {
        if (word is not null && nextBigram + 2 <= word.Length)
        {
            term.SetEmpty().Append(word, nextBigram, 2);
            positionIncrement.PositionIncrement = 0;
            nextBigram++;
            return true;
        }
        word = null;
        if (!m_input.IncrementToken()) return false;
        var current = term.ToString();
        if (current.Length > 2 && type.Type != DictionaryFilter.WordType && current.Any(IsBigramScript))
        {
            word = current;
            nextBigram = 0;
        }
        return true;
    }

    public override void Reset()
    {
        base.Reset();
        word = null;
        nextBigram = 0;
    }

    static bool IsBigramScript(char c) =>
        c is >= '\uAC00' and <= '\uD7A3'      // Hangul syllables
            or >= '\u1100' and <= '\u11FF'    // Hangul jamo
            or >= '\u3130' and <= '\u318F'    // Hangul compatibility jamo
            or >= '\u4E00' and <= '\u9FFF'    // CJK unified ideographs (Hanja)
            or >= '\u3400' and <= '\u4DBF';   // CJK extension A
}
