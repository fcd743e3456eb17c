using System.Text;

namespace Mrc.Reading.Tokenization;

/// <summary>
/// Text being normalized, one code point at a time, each carrying the span of the original text it
/// came from (UTF-16, end exclusive): Hugging Face's <c>NormalizedString</c> with its alignments, so
/// that a token found in normalized text maps back to original positions.
/// </summary>
/// <remarks>
/// Edits follow Hugging Face's <c>transform</c> rule, so offsets come out as theirs: a character that
/// replaces an original one takes that character's span; an inserted character (change +1) takes the
/// span of the character before it; a negative change also consumes that many further originals
/// without widening the span.
/// </remarks>
public sealed class NormalizedText
{
    readonly List<int> codePoints;
    readonly List<TokenSpan> alignments;

    NormalizedText(List<int> codePoints, List<TokenSpan> alignments)
    {
        this.codePoints = codePoints;
        this.alignments = alignments;
    }

    /// <summary>The original text, every code point aligned with itself.</summary>
    public static NormalizedText From(string original)
    {
        ArgumentNullException.ThrowIfNull(original);
        var points = new List<int>(original.Length);
        var spans = new List<TokenSpan>(original.Length);
        for (var i = 0; i < original.Length;)
        {
            var width = char.IsSurrogatePair(original, i) ? 2 : 1;
            points.Add(width == 2 ? char.ConvertToUtf32(original[i], original[i + 1]) : original[i]);
            spans.Add(new TokenSpan(i, i + width));
            i += width;
        }
        return new NormalizedText(points, spans);
    }

    /// <summary>Code points with explicit alignments (for normalizers that keep their own map).</summary>
    public static NormalizedText FromAligned(List<int> codePoints, List<TokenSpan> alignments) =>
        codePoints.Count == alignments.Count
            ? new NormalizedText(codePoints, alignments)
            : throw new ArgumentException("one alignment per code point is needed.", nameof(alignments));

    public int Count => codePoints.Count;

    public IReadOnlyList<int> CodePoints => codePoints;

    public IReadOnlyList<TokenSpan> Alignments => alignments;

    public override string ToString()
    {
        var builder = new StringBuilder(codePoints.Count);
        foreach (var c in codePoints) builder.Append(char.ConvertFromUtf32(c));
        return builder.ToString();
    }

    /// <summary>The original span of normalized code points [<paramref name="start"/>, <paramref name="end"/>): first start to last end.</summary>
    public TokenSpan OriginalSpan(int start, int end) => new(alignments[start].Start, alignments[end - 1].End);

    /// <summary>A copy of code points [start, end), alignments kept.</summary>
    public NormalizedText Slice(int start, int end) =>
        new(codePoints.GetRange(start, end - start), alignments.GetRange(start, end - start));

    /// <summary>
    /// Replaces the whole text by <paramref name="changes"/>: (code point, change) pairs as Hugging
    /// Face's <c>NormalizedString::transform</c> takes them; <paramref name="initialOffset"/> originals are dropped first.
    /// </summary>
    public void Transform(IReadOnlyList<(int CodePoint, int Change)> changes, int initialOffset)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var points = new List<int>(changes.Count);
        var spans = new List<TokenSpan>(changes.Count);
        var index = initialOffset;
        foreach (var (codePoint, change) in changes)
        {
            TokenSpan span;
            if (change > 0)
            {
                span = index < 1 ? default : alignments[index - 1];
            }
            else
            {
                span = alignments[index];
                index += 1 - change;
            }
            points.Add(codePoint);
            spans.Add(span);
        }
        codePoints.Clear();
        codePoints.AddRange(points);
        alignments.Clear();
        alignments.AddRange(spans);
    }

    /// <summary>
    /// Replaces every match [start, end) (code point indices) by <paramref name="content"/>, each new
    /// character aligned with the match's last character (Hugging Face's <c>replace</c>).
    /// </summary>
    public void Replace(IEnumerable<(int Start, int End)> matches, string content)
    {
        ArgumentNullException.ThrowIfNull(matches);
        ArgumentNullException.ThrowIfNull(content);
        var replacement = ToCodePoints(content);
        var points = new List<int>(codePoints.Count);
        var spans = new List<TokenSpan>(codePoints.Count);
        var last = 0;
        foreach (var (start, end) in matches)
        {
            if (start < last || end <= start) continue;
            points.AddRange(codePoints.GetRange(last, start - last));
            spans.AddRange(alignments.GetRange(last, start - last));
            var span = alignments[end - 1];
            foreach (var c in replacement)
            {
                points.Add(c);
                spans.Add(span);
            }
            last = end;
        }
        points.AddRange(codePoints.GetRange(last, codePoints.Count - last));
        spans.AddRange(alignments.GetRange(last, alignments.Count - last));
        codePoints.Clear();
        codePoints.AddRange(points);
        alignments.Clear();
        alignments.AddRange(spans);
    }

    /// <summary>Every occurrence of one code point replaced by another, in place (same alignment).</summary>
    public void ReplaceCodePoint(int from, int to)
    {
        for (var i = 0; i < codePoints.Count; i++)
        {
            if (codePoints[i] == from) codePoints[i] = to;
        }
    }

    /// <summary>Puts <paramref name="prefix"/> first, aligned with the first character (no-op on empty text).</summary>
    public void Prepend(string prefix)
    {
        if (codePoints.Count == 0) return;
        var added = ToCodePoints(prefix);
        var span = alignments[0];
        codePoints.InsertRange(0, added);
        alignments.InsertRange(0, Enumerable.Repeat(span, added.Count));
    }

    /// <summary>Hugging Face's <c>Strip</c> normalizer: leading and/or trailing whitespace removed.</summary>
    public void Strip(bool left, bool right)
    {
        var leading = 0;
        if (left) while (leading < codePoints.Count && WordPieceTokenizer.IsWhitespace(codePoints[leading])) leading++;
        var trailing = 0;
        if (right) while (trailing < codePoints.Count - leading && WordPieceTokenizer.IsWhitespace(codePoints[^(trailing + 1)])) trailing++;
        if (leading == 0 && trailing == 0) return;
        var changes = new List<(int, int)>();
        var count = codePoints.Count;
        for (var i = leading; i < count - trailing; i++)
            changes.Add((codePoints[i], i == count - trailing - 1 ? -trailing : 0));
        Transform(changes, leading);
    }

    /// <summary>Splits before every <paramref name="delimiter"/>, which starts the next piece (Hugging Face's MergedWithNext).</summary>
    public List<NormalizedText> SplitMergedWithNext(int delimiter)
    {
        var pieces = new List<NormalizedText>();
        var start = 0;
        for (var i = 0; i < codePoints.Count; i++)
        {
            if (codePoints[i] != delimiter || i == start) continue;
            pieces.Add(Slice(start, i));
            start = i;
        }
        if (start < codePoints.Count) pieces.Add(Slice(start, codePoints.Count));
        return pieces;
    }

    internal static List<int> ToCodePoints(string text)
    {
        var result = new List<int>(text.Length);
        for (var i = 0; i < text.Length; i += char.IsSurrogatePair(text, i) ? 2 : 1)
            result.Add(char.IsSurrogatePair(text, i) ? char.ConvertToUtf32(text[i], text[i + 1]) : text[i]);
        return result;
    }
}
