using System.Globalization;
using System.Text;

namespace Mrc.Core.Metrics;

/// <summary>The few Python 3 string operations the official script relies on, reproduced exactly.</summary>
internal static class PythonText
{
    /// <summary>
    /// str.split() with no argument: runs of Python whitespace separate tokens. Python counts
    /// U+001C..U+001F as whitespace, which .NET's char.IsWhiteSpace does not.
    /// </summary>
    public static List<string> Split(string text)
    {
        var tokens = new List<string>();
        int start = -1;
        for (int i = 0; i < text.Length; i++)
        {
            if (IsWhiteSpace(text[i]))
            {
                if (start >= 0) tokens.Add(text[start..i]);
                start = -1;
            }
            else if (start < 0) start = i;
        }
        if (start >= 0) tokens.Add(text[start..]);
        return tokens;
    }

    public static bool IsWhiteSpace(char c) => char.IsWhiteSpace(c) || c is >= '\u001C' and <= '\u001F';

    /// <summary>
    /// str.lower(): Unicode lower-casing by code point, with Python's full mappings that differ from
    /// the simple ones: U+0130 becomes "i̇" and a final capital sigma becomes "ς".
    /// </summary>
    public static string Lower(string text)
    {
        var result = new StringBuilder(text.Length);
        int index = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.Value == 0x0130) result.Append("i\u0307");
            else if (rune.Value == 0x03A3) result.Append(IsFinalSigma(text, index) ? 'ς' : 'σ');
            else result.Append(Rune.ToLowerInvariant(rune).ToString());
            index += rune.Utf16SequenceLength;
        }
        return result.ToString();
    }

    // Unicode Final_Sigma: preceded by a cased letter (skipping case-ignorable ones) and not
    // followed by one. Python applies the same rule in str.lower().
    static bool IsFinalSigma(string text, int index)
    {
        int before = index - 1;
        while (before >= 0 && IsCaseIgnorable(text[before])) before--;
        if (before < 0 || !IsCased(text[before])) return false;
        int after = index + 1;
        while (after < text.Length && IsCaseIgnorable(text[after])) after++;
        return after >= text.Length || !IsCased(text[after]);
    }

    static bool IsCased(char c) => char.IsUpper(c) || char.IsLower(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.TitlecaseLetter;

    static bool IsCaseIgnorable(char c) => CharUnicodeInfo.GetUnicodeCategory(c) is
        UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format
        or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol
        || c is '\'' or '.' or ':' or '^' or '`' or '\u00AD' or '\u2019';

    /// <summary>repr(float) as Python prints it: shortest round-trip digits, ".0" on integral values.</summary>
    public static string FloatRepr(double value)
    {
        if (double.IsNaN(value)) return "NaN";
        if (double.IsInfinity(value)) return value > 0 ? "Infinity" : "-Infinity";
        string r = value.ToString("R", CultureInfo.InvariantCulture);
        int e = r.IndexOf('E');
        if (e < 0) return r.Contains('.') ? r : r + ".0";

        // .NET writes 1E-05 / 1.5E+16; Python writes 1e-05 / 1.5e+16 (at least two exponent digits).
        string mantissa = r[..e];
        int exponent = int.Parse(r[(e + 1)..], CultureInfo.InvariantCulture);
        string sign = exponent < 0 ? "-" : "+";
        return $"{mantissa}e{sign}{Math.Abs(exponent):00}";
    }
}
