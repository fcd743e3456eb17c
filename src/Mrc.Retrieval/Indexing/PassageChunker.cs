namespace Mrc.Retrieval.Indexing;

/// <summary>A character range [Start, End) of a document.</summary>
public readonly record struct TextRange(int Start, int End)
{
    public int Length => End - Start;
}

/// <summary>
/// Splits long documents into passages of at most <c>size</c> characters that overlap by about
/// <c>overlap</c> characters. Cuts fall on a paragraph break when one is in the second half of the
/// window, else on a sentence end, else between words, and only as a last resort inside a word
/// (never inside a surrogate pair). Passages never start or end with whitespace, so every range maps
/// back to the document exactly: <c>text.Substring(Start, Length)</c>.
/// </summary>
public static class PassageChunker
{
    public static IReadOnlyList<TextRange> Split(string text, int size, int overlap)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentOutOfRangeException.ThrowIfNegative(overlap);
        if (size > 0 && overlap >= size)
            throw new ArgumentOutOfRangeException(nameof(overlap), overlap, $"Overlap must be smaller than the chunk size ({size}).");

        var ranges = new List<TextRange>();
        int start = SkipWhitespace(text, 0);
        if (start == text.Length) return ranges;
        if (size == 0 || text.Length - start <= size)
        {
            ranges.Add(new TextRange(start, TrimEnd(text, start, text.Length)));
            return ranges;
        }

        while (start < text.Length)
        {
            int end = start + size >= text.Length ? text.Length : FindCut(text, start, start + size);
            ranges.Add(new TextRange(start, TrimEnd(text, start, end)));
            if (end >= text.Length) break;

            int next = overlap == 0 ? end : FindRestart(text, Math.Max(end - overlap, start + 1), end);
            next = SkipWhitespace(text, next);
            // Always move forward, even when the overlap would land on or before the last start.
            start = next > start ? next : SkipWhitespace(text, end);
        }
        return ranges;
    }

    /// <summary>Where a passage starting at <paramref name="start"/> should end, looking back from <paramref name="limit"/>.</summary>
    static int FindCut(string text, int start, int limit)
    {
        int floor = start + (limit - start) / 2;
        for (int i = limit - 1; i > floor; i--)
            if (text[i] == '\n') return i + 1;
        for (int i = limit - 1; i > floor; i--)
            if (IsSentenceEnd(text, i)) return i + 1;
        for (int i = limit - 1; i > floor; i--)
            if (char.IsWhiteSpace(text[i])) return i + 1;
        return char.IsHighSurrogate(text[limit - 1]) ? limit - 1 : limit;
    }

    /// <summary>The first sentence start in [from, end), else the first word start, else <paramref name="from"/>.</summary>
    static int FindRestart(string text, int from, int end)
    {
        for (int i = from; i < end; i++)
            if (text[i - 1] == '\n' || (char.IsWhiteSpace(text[i - 1]) && i >= 2 && IsSentenceEnd(text, i - 2)))
                if (!char.IsWhiteSpace(text[i])) return i;
        for (int i = from; i < end; i++)
            if (char.IsWhiteSpace(text[i - 1]) && !char.IsWhiteSpace(text[i])) return i;
        return char.IsLowSurrogate(text[from]) ? from + 1 : from;
    }

    /// <summary>A sentence-ending mark followed by whitespace or the end of the text.</summary>
    static bool IsSentenceEnd(string text, int i) =>
        text[i] is '.' or '?' or '!' or '。' or '？' or '！'
        && (i + 1 == text.Length || char.IsWhiteSpace(text[i + 1]));

    static int SkipWhitespace(string text, int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
        return i;
    }

    static int TrimEnd(string text, int start, int end)
    {
        while (end > start && char.IsWhiteSpace(text[end - 1])) end--;
        return end;
    }
}
