namespace Mrc.Training.Text;

/// <summary>Sentence boundaries good enough for Korean encyclopedia prose.</summary>
public static class SentenceSpans
{
    /// <summary>
    /// Sentences end at '.', '?' or '!' followed by whitespace, or at a line break; each span is trimmed
    /// of surrounding white space and never empty.
    /// </summary>
    public static IEnumerable<(int Start, int Length)> Find(string text)
    {
        int start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            bool end = text[i] == '\n' || (text[i] is '.' or '?' or '!' && (i + 1 == text.Length || char.IsWhiteSpace(text[i + 1])));
            if (!end) continue;
            if (Trimmed(text, start, i + 1) is { } sentence) yield return sentence;
            start = i + 1;
        }
        if (Trimmed(text, start, text.Length) is { } rest) yield return rest;
    }

    static (int Start, int Length)? Trimmed(string text, int start, int end)
    {
        while (start < end && char.IsWhiteSpace(text[start])) start++;
        while (end > start && char.IsWhiteSpace(text[end - 1])) end--;
        return end > start ? (start, end - start) : null;
    }
}
