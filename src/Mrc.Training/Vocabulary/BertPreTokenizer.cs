using System.Globalization;
using System.Text;

namespace Mrc.Training.Vocabulary;

/// <summary>
/// The word splitting of Hugging Face's BERT BasicTokenizer (without lower-casing, as Korean
/// vocabularies use it): drop control characters, split on whitespace, make every punctuation
/// character and CJK ideograph its own word. Hangul syllables stay together, so particles remain
/// glued to their words and the vocabulary learns them as "##" pieces.
/// </summary>
public static class BertPreTokenizer
{
    public static IEnumerable<string> Words(string text)
    {
        var word = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            int c = rune.Value;
            if (c == 0 || c == 0xFFFD || IsControl(rune)) continue;
            if (IsWhitespace(rune))
            {
                if (word.Length > 0) { yield return word.ToString(); word.Clear(); }
            }
            else if (IsPunctuation(rune) || IsCjkIdeograph(c))
            {
                if (word.Length > 0) { yield return word.ToString(); word.Clear(); }
                yield return rune.ToString();
            }
            else word.Append(rune.ToString());
        }
        if (word.Length > 0) yield return word.ToString();
    }

    static bool IsWhitespace(Rune r) => r.Value is ' ' or '\t' or '\n' or '\r'
        || Rune.GetUnicodeCategory(r) == UnicodeCategory.SpaceSeparator;

    static bool IsControl(Rune r)
    {
        if (r.Value is '\t' or '\n' or '\r') return false;
        var category = Rune.GetUnicodeCategory(r);
        return category is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate or UnicodeCategory.OtherNotAssigned;
    }

    static bool IsPunctuation(Rune r)
    {
        int c = r.Value;
        if (c is >= 33 and <= 47 or >= 58 and <= 64 or >= 91 and <= 96 or >= 123 and <= 126) return true;
        return Rune.GetUnicodeCategory(r) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }

    static bool IsCjkIdeograph(int c) =>
        c is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF
            or >= 0x2A700 and <= 0x2B73F or >= 0x2B740 and <= 0x2B81F or >= 0x2B820 and <= 0x2CEAF
            or >= 0xF900 and <= 0xFAFF or >= 0x2F800 and <= 0x2FA1F;
}
