namespace Mrc.Reader;

/// <summary>Converts UTF-16 indices (C# strings) to Unicode code point indices (Python strings, HF offsets).</summary>
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
}
