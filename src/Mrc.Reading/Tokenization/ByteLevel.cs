using System.Globalization;
using System.Text;

namespace Mrc.Reading.Tokenization;

/// <summary>
/// GPT-2's byte-level pre-tokenization as Hugging Face's <c>ByteLevel</c> pre-tokenizer does it:
/// optionally a space first, words split by GPT-2's pattern, then every UTF-8 byte written as one
/// printable character (<c>bytes_to_unicode</c>), each aligned with the character it came from.
/// </summary>
public static class ByteLevel
{
    /// <summary>GPT-2's <c>bytes_to_unicode</c>: printable bytes map to themselves, the rest to U+0100 on.</summary>
    public static readonly char[] ByteToChar = BuildByteToChar();

    /// <summary>The character that stands for the space byte ('Ġ').</summary>
    public static char Space => ByteToChar[' '];

    static char[] BuildByteToChar()
    {
        var map = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)next++;
        }
        return map;
    }

    /// <summary>Words of <paramref name="text"/>, each already in byte-level characters with alignments.</summary>
    public static List<NormalizedText> PreTokenize(NormalizedText text, bool addPrefixSpace)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (addPrefixSpace && (text.Count == 0 || text.CodePoints[0] != ' ')) text.Prepend(" ");
        var words = new List<NormalizedText>();
        Span<byte> bytes = stackalloc byte[4];
        foreach (var (start, end) in Gpt2Split(text.CodePoints))
        {
            var word = text.Slice(start, end);
            var changes = new List<(int, int)>();
            foreach (var c in word.CodePoints)
            {
                var count = new Rune(IsScalar(c) ? c : 0xFFFD).EncodeToUtf8(bytes);
                for (var k = 0; k < count; k++) changes.Add((ByteToChar[bytes[k]], k > 0 ? 1 : 0));
            }
            word.Transform(changes, 0);
            words.Add(word);
        }
        return words;
    }

    static bool IsScalar(int c) => c is >= 0 and < 0xD800 or > 0xDFFF and <= 0x10FFFF;

    /// <summary>
    /// GPT-2's pattern <c>'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+</c>,
    /// matched by hand over code points (a .NET regex sees a letter outside the BMP as two surrogates).
    /// </summary>
    public static List<(int Start, int End)> Gpt2Split(IReadOnlyList<int> text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var pieces = new List<(int, int)>();
        var n = text.Count;
        var i = 0;
        while (i < n)
        {
            var end = Contraction(text, i);
            if (end < 0)
            {
                var c = text[i];
                var body = c == ' ' && i + 1 < n ? i + 1 : i;
                var kind = Kind(text[body]);
                if (kind != CharKind.Space && (body == i || c == ' '))
                {
                    end = body + 1;
                    while (end < n && Kind(text[end]) == kind) end++;
                }
                else
                {
                    // A whitespace run: all of it at the end of the text, else all but its last
                    // character (which then leads the next word), else just one character.
                    var runEnd = i;
                    while (runEnd < n && Kind(text[runEnd]) == CharKind.Space) runEnd++;
                    end = runEnd == n || runEnd - 1 == i ? runEnd : runEnd - 1;
                }
            }
            pieces.Add((i, end));
            i = end;
        }
        return pieces;
    }

    /// <summary>The end of an English contraction ('s 't 're 've 'm 'll 'd) starting at <paramref name="i"/>, or -1.</summary>
    static int Contraction(IReadOnlyList<int> text, int i)
    {
        if (text[i] != '\'' || i + 1 >= text.Count) return -1;
        var next = text[i + 1];
        if (next is 's' or 't' or 'm' or 'd') return i + 2;
        if (i + 2 < text.Count && ((next == 'r' && text[i + 2] == 'e') || (next == 'v' && text[i + 2] == 'e') || (next == 'l' && text[i + 2] == 'l'))) return i + 3;
        return -1;
    }

    enum CharKind { Letter, Number, Space, Other }

    static CharKind Kind(int c)
    {
        if (WordPieceTokenizer.IsWhitespace(c)) return CharKind.Space;
        if (!IsScalar(c)) return CharKind.Other;
        return CharUnicodeInfo.GetUnicodeCategory(c) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => CharKind.Letter,
            UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => CharKind.Number,
            _ => CharKind.Other,
        };
    }
}
