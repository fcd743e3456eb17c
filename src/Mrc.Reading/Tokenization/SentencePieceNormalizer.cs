using System.Text;

namespace Mrc.Reading.Tokenization;

/// <summary>
/// sentencepiece's own <c>Normalizer::Normalize</c>: the model's compiled rules (longest match over
/// UTF-8 bytes), leading, trailing and repeated whitespace removed, a dummy-prefix <c>▁</c>, and
/// every space written as <c>▁</c> (U+2581). Each output character is aligned with the original
/// characters its rule consumed.
/// </summary>
public sealed class SentencePieceNormalizer(SentencePieceNormalizerSpec spec)
{
    public const char SpaceSymbol = '\u2581';

    readonly PrecompiledCharsMap? charsMap = spec.PrecompiledCharsMap is { Length: > 0 } blob ? PrecompiledCharsMap.Parse(blob) : null;

    public SentencePieceNormalizerSpec Spec { get; } = spec;

    public NormalizedText Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var utf8 = Encoding.UTF8.GetBytes(text);
        var utf16At = Utf16Positions(text, utf8.Length);
        var points = new List<int>(text.Length + 1);
        var spans = new List<TokenSpan>(text.Length + 1);
        var consumed = 0;

        // Leading whitespace is dropped.
        if (Spec.RemoveExtraWhitespaces)
        {
            while (consumed < utf8.Length)
            {
                var (length, replacement) = NormalizePrefix(utf8.AsSpan(consumed));
                if (replacement != " ") break;
                consumed += length;
            }
        }
        if (consumed == utf8.Length) return NormalizedText.FromAligned(points, spans);

        var dummyPrefix = Spec.AddDummyPrefix;
        var previousWasSpace = Spec.RemoveExtraWhitespaces;
        while (consumed < utf8.Length)
        {
            var (length, replacement) = NormalizePrefix(utf8.AsSpan(consumed));
            var span = new TokenSpan(utf16At[consumed], utf16At[consumed + length]);
            var output = replacement.AsSpan();
            // A rule's output loses its leading spaces right after a space.
            while (previousWasSpace && output.Length > 0 && output[0] == ' ') output = output[1..];
            if (output.Length > 0)
            {
                if (dummyPrefix)
                {
                    // The prefix stands for the first character (as Hugging Face aligns it).
                    points.Add(SpaceSymbol);
                    spans.Add(span);
                    dummyPrefix = false;
                }
                foreach (var c in NormalizedText.ToCodePoints(output.ToString()))
                {
                    points.Add(Spec.EscapeWhitespaces && c == ' ' ? SpaceSymbol : c);
                    spans.Add(span);
                }
                previousWasSpace = output[^1] == ' ';
            }
            consumed += length;
            if (!Spec.RemoveExtraWhitespaces) previousWasSpace = false;
        }

        // Trailing whitespace is dropped.
        if (Spec.RemoveExtraWhitespaces)
        {
            var space = Spec.EscapeWhitespaces ? SpaceSymbol : ' ';
            while (points.Count > 0 && points[^1] == space)
            {
                points.RemoveAt(points.Count - 1);
                spans.RemoveAt(spans.Count - 1);
            }
        }
        return NormalizedText.FromAligned(points, spans);
    }

    /// <summary>The rule applied at the start of <paramref name="utf8"/>: bytes consumed and what they become.</summary>
    (int Length, string Replacement) NormalizePrefix(ReadOnlySpan<byte> utf8)
    {
        if (charsMap is not null)
        {
            var (length, replacement) = charsMap.LongestPrefix(utf8);
            if (length > 0) return (length, replacement);
        }
        // No rule: the character stays (a malformed byte becomes U+FFFD, one byte consumed).
        var status = System.Text.Rune.DecodeFromUtf8(utf8, out var rune, out var consumed);
        return status == System.Buffers.OperationStatus.Done ? (consumed, rune.ToString()) : (1, "\uFFFD");
    }

    /// <summary>For each UTF-8 byte offset of <paramref name="text"/> (and the end), the UTF-16 index of its character.</summary>
    static int[] Utf16Positions(string text, int byteCount)
    {
        var positions = new int[byteCount + 1];
        var b = 0;
        for (var i = 0; i < text.Length;)
        {
            var width = char.IsSurrogatePair(text, i) ? 2 : 1;
            var bytes = Encoding.UTF8.GetByteCount(text.AsSpan(i, width));
            for (var k = 0; k < bytes; k++) positions[b + k] = i;
            b += bytes;
            i += width;
        }
        positions[byteCount] = text.Length;
        return positions;
    }
}
