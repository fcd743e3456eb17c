using System.Text;
using Mrc.Reading.Tokenization;

namespace Mrc.Training.Vocabulary;

/// <summary>
/// The word splitting of Hugging Face's BERT pre-tokenizer without lower-casing (as Korean
/// vocabularies use it), with the reader tokenizer's own character classes so that a learnt
/// vocabulary sees exactly the words the reader will look up: control characters dropped, words
/// split on whitespace, every punctuation character and CJK ideograph a word of its own. Hangul
/// syllables stay together, so particles remain glued to their words and become "##" pieces.
/// </summary>
public static class BertPreTokenizer
{
    public static IEnumerable<string> Words(string text)
    {
        var word = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            int c = rune.Value;
            if (c == 0 || c == 0xFFFD || WordPieceTokenizer.IsControl(c)) continue;
            if (WordPieceTokenizer.IsWhitespace(c))
            {
                if (word.Length > 0) { yield return word.ToString(); word.Clear(); }
            }
            else if (WordPieceTokenizer.IsPunctuation(c) || WordPieceTokenizer.IsChineseChar(c))
            {
                if (word.Length > 0) { yield return word.ToString(); word.Clear(); }
                yield return rune.ToString();
            }
            else word.Append(rune.ToString());
        }
        if (word.Length > 0) yield return word.ToString();
    }
}
