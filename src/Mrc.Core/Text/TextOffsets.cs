namespace Mrc.Core.Text;

/// <summary>
/// Converts between UTF-16 indices (C# and JavaScript strings) and Unicode code point indices (Python
/// strings, KorQuAD's answer_start, Hugging Face offsets). They differ after a character outside the
/// Basic Multilingual Plane, which takes two UTF-16 units and one code point.
/// </summary>
public static class TextOffsets
{
    public static int ToCodePoints(string text, int utf16Index)
    {
        ArgumentNullException.ThrowIfNull(text);
        var count = utf16Index;
        for (var i = 0; i < utf16Index && i < text.Length; i++)
        {
            if (char.IsLowSurrogate(text[i]) && i > 0 && char.IsHighSurrogate(text[i - 1])) count--;
        }
        return count;
    }

    /// <summary>The UTF-16 index of code point <paramref name="codePointIndex"/>; past the end, as many units past it.</summary>
    public static int ToUtf16(string text, int codePointIndex)
    {
        ArgumentNullException.ThrowIfNull(text);
        var i = 0;
        for (var seen = 0; seen < codePointIndex; seen++)
        {
            if (i >= text.Length) return i + (codePointIndex - seen);
            i += char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
        }
        return i;
    }
}
