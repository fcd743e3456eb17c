using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Mrc.Reading.Tokenization;

/// <summary>
/// The normalizers of a Hugging Face <c>tokenizer.json</c> that SentencePiece and byte-level BPE
/// models use, applied with Hugging Face's alignment rules: <c>Sequence</c>, <c>Precompiled</c>
/// (the SentencePiece rules, matched per grapheme as Hugging Face does), <c>NFKC</c> / <c>NFC</c>
/// (.NET's normalization of each grapheme), <c>Replace</c>, <c>Strip</c>, <c>Prepend</c>.
/// </summary>
public static class TokenizerJsonNormalizers
{
    /// <summary>The normalizer described by <paramref name="spec"/> (null or JSON null: none).</summary>
    /// <exception cref="NotSupportedException">A normalizer type this reader does not implement.</exception>
    public static Action<NormalizedText> Build(JsonElement? spec)
    {
        if (spec is not { ValueKind: JsonValueKind.Object } n) return _ => { };
        var type = n.GetProperty("type").GetString();
        switch (type)
        {
            case "Sequence":
                var steps = n.GetProperty("normalizers").EnumerateArray().Select(e => Build(e)).ToList();
                return text => steps.ForEach(step => step(text));
            case "Precompiled":
                var blob = n.GetProperty("precompiled_charsmap");
                if (blob.ValueKind != JsonValueKind.String) return _ => { };
                var map = PrecompiledCharsMap.Parse(Convert.FromBase64String(blob.GetString()!));
                return text => ApplyPerGrapheme(text, g => map.FirstPrefixReplacement(Utf8WithoutNul(g)), wholeGraphemeLimit: 6);
            case "NFKC":
                return text => ApplyPerGrapheme(text, g => Unicode(g, NormalizationForm.FormKC), wholeGraphemeLimit: int.MaxValue);
            case "NFC":
                return text => ApplyPerGrapheme(text, g => Unicode(g, NormalizationForm.FormC), wholeGraphemeLimit: int.MaxValue);
            case "Replace":
                var pattern = n.GetProperty("pattern");
                var content = n.GetProperty("content").GetString() ?? "";
                if (pattern.TryGetProperty("Regex", out var regex))
                {
                    var compiled = new Regex(regex.GetString()!, RegexOptions.CultureInvariant);
                    return text => text.Replace(RegexMatches(text, compiled), content);
                }
                var literal = pattern.GetProperty("String").GetString()!;
                return text => text.Replace(LiteralMatches(text, literal), content);
            case "Strip":
                var left = n.TryGetProperty("strip_left", out var l) && l.GetBoolean();
                var right = n.TryGetProperty("strip_right", out var r) && r.GetBoolean();
                return text => text.Strip(left, right);
            case "Prepend":
                var prefix = n.GetProperty("prepend").GetString() ?? "";
                return text => text.Prepend(prefix);
            default:
                throw new NotSupportedException($"normalizer {type} is not supported (Sequence, Precompiled, NFKC, NFC, Replace, Strip, Prepend).");
        }
    }

    static string? Unicode(string grapheme, NormalizationForm form)
    {
        if (!grapheme.IsNormalized(form)) return grapheme.Normalize(form);
        return null;
    }

    static byte[] Utf8WithoutNul(string text)
    {
        // The charsmap lookup stops at a NUL byte, as Hugging Face's trie search does.
        var bytes = Encoding.UTF8.GetBytes(text);
        var nul = Array.IndexOf(bytes, (byte)0);
        return nul < 0 ? bytes : bytes[..nul];
    }

    /// <summary>
    /// Hugging Face's <c>Precompiled::normalize</c> loop: a grapheme shorter than
    /// <paramref name="wholeGraphemeLimit"/> UTF-8 bytes is rewritten whole when a rule applies, else
    /// each of its characters on its own; the changes are recorded as its <c>replace</c> helper does.
    /// </summary>
    static void ApplyPerGrapheme(NormalizedText text, Func<string, string?> rewrite, int wholeGraphemeLimit)
    {
        var source = text.ToString();
        var changes = new List<(int CodePoint, int Change)>(text.Count);
        var modified = false;
        var elements = StringInfo.GetTextElementEnumerator(source);
        while (elements.MoveNext())
        {
            var grapheme = (string)elements.Current;
            if (Encoding.UTF8.GetByteCount(grapheme) < wholeGraphemeLimit && rewrite(grapheme) is { } whole)
            {
                Record(changes, grapheme, whole);
                modified = true;
                continue;
            }
            foreach (var codePoint in NormalizedText.ToCodePoints(grapheme))
            {
                var part = char.ConvertFromUtf32(codePoint);
                if (rewrite(part) is { } replaced)
                {
                    Record(changes, part, replaced);
                    modified = true;
                }
                else
                {
                    changes.Add((codePoint, 0));
                }
            }
        }
        if (modified) text.Transform(changes, 0);
    }

    /// <summary>Hugging Face's <c>replace</c> helper of the Precompiled normalizer.</summary>
    static void Record(List<(int CodePoint, int Change)> changes, string oldPart, string newPart)
    {
        var oldCount = NormalizedText.ToCodePoints(oldPart).Count;
        var added = NormalizedText.ToCodePoints(newPart);
        var diff = added.Count - oldCount;
        foreach (var c in added) changes.Add((c, 0));
        if (diff > 0)
        {
            for (var k = changes.Count - diff; k < changes.Count; k++) changes[k] = (changes[k].CodePoint, 1);
        }
        else if (diff < 0 && changes.Count > 0)
        {
            changes[^1] = (changes[^1].CodePoint, changes[^1].Change + diff);
        }
    }

    /// <summary>Matches of <paramref name="regex"/> as code point ranges of <paramref name="text"/>.</summary>
    static List<(int Start, int End)> RegexMatches(NormalizedText text, Regex regex)
    {
        var source = text.ToString();
        var codePointAt = CodePointIndices(source);
        return [.. regex.Matches(source).Where(m => m.Length > 0).Select(m => (codePointAt[m.Index], codePointAt[m.Index + m.Length]))];
    }

    static List<(int Start, int End)> LiteralMatches(NormalizedText text, string literal)
    {
        var source = text.ToString();
        var codePointAt = CodePointIndices(source);
        var matches = new List<(int, int)>();
        if (literal.Length == 0) return matches;
        for (var i = source.IndexOf(literal, StringComparison.Ordinal); i >= 0; i = source.IndexOf(literal, i + literal.Length, StringComparison.Ordinal))
            matches.Add((codePointAt[i], codePointAt[i + literal.Length]));
        return matches;
    }

    /// <summary>For each UTF-16 index of <paramref name="source"/> (and its end), the index of its code point.</summary>
    internal static int[] CodePointIndices(string source)
    {
        var map = new int[source.Length + 1];
        var codePoint = 0;
        for (var i = 0; i < source.Length; i++)
        {
            map[i] = codePoint;
            if (!(char.IsHighSurrogate(source[i]) && i + 1 < source.Length && char.IsLowSurrogate(source[i + 1]))) codePoint++;
        }
        map[source.Length] = codePoint;
        return map;
    }
}
