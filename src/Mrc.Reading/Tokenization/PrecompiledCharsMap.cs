using System.Buffers.Binary;
using System.Text;

namespace Mrc.Reading.Tokenization;

/// <summary>
/// SentencePiece's compiled normalization rules (<c>precompiled_charsmap</c>): a Darts-clone double
/// array over UTF-8 byte strings whose values index a blob of NUL-terminated replacement strings.
/// The blob is laid out as [trie size: u32 LE][trie units: u32 LE each][replacements].
/// </summary>
public sealed class PrecompiledCharsMap
{
    /// <summary>sentencepiece's kMaxTrieResultsSize: prefixes beyond this many are not considered.</summary>
    const int MaxResults = 32;

    readonly uint[] units;
    readonly byte[] replacements;

    PrecompiledCharsMap(uint[] units, byte[] replacements)
    {
        this.units = units;
        this.replacements = replacements;
    }

    /// <exception cref="InvalidDataException">The blob is truncated or its trie is malformed.</exception>
    public static PrecompiledCharsMap Parse(ReadOnlySpan<byte> blob)
    {
        if (blob.Length < 4) throw new InvalidDataException("precompiled_charsmap is shorter than its header.");
        var trieSize = BinaryPrimitives.ReadUInt32LittleEndian(blob);
        if (trieSize % 4 != 0 || trieSize > (uint)(blob.Length - 4) || trieSize == 0)
            throw new InvalidDataException($"precompiled_charsmap declares a trie of {trieSize} bytes in {blob.Length - 4}.");
        var units = new uint[trieSize / 4];
        for (var i = 0; i < units.Length; i++) units[i] = BinaryPrimitives.ReadUInt32LittleEndian(blob[(4 + 4 * i)..]);
        return new PrecompiledCharsMap(units, blob[(4 + (int)trieSize)..].ToArray());
    }

    /// <summary>
    /// The longest rule matching a prefix of <paramref name="utf8"/>: its length in bytes and its
    /// replacement, or length 0 when no rule applies (sentencepiece's <c>normalize_prefix</c>).
    /// </summary>
    public (int Length, string Replacement) LongestPrefix(ReadOnlySpan<byte> utf8)
    {
        var longest = 0;
        var value = 0;
        var found = 0;
        foreach (var (length, v) in PrefixMatches(utf8))
        {
            if (found++ >= MaxResults) break;
            if (length > longest)
            {
                longest = length;
                value = v;
            }
        }
        return longest == 0 ? (0, "") : (longest, ReplacementAt(value));
    }

    /// <summary>
    /// Hugging Face's <c>Precompiled::transform</c>: the replacement of the <em>first</em> (shortest)
    /// rule matching a prefix of <paramref name="utf8"/>, or null.
    /// </summary>
    public string? FirstPrefixReplacement(ReadOnlySpan<byte> utf8)
    {
        foreach (var (_, v) in PrefixMatches(utf8)) return ReplacementAt(v);
        return null;
    }

    /// <summary>Darts-clone's commonPrefixSearch: every (length, value) whose key is a prefix of the input, shortest first.</summary>
    List<(int Length, int Value)> PrefixMatches(ReadOnlySpan<byte> key)
    {
        var results = new List<(int, int)>();
        uint position = 0;
        if (units.Length == 0) return results;
        position ^= Offset(units[0]);
        for (var i = 0; i < key.Length; i++)
        {
            position ^= key[i];
            if (position >= units.Length) return results;
            var unit = units[position];
            if (Label(unit) != key[i]) return results;
            position ^= Offset(unit);
            if (HasLeaf(unit))
            {
                if (position >= units.Length) throw new InvalidDataException("precompiled_charsmap trie points outside itself.");
                results.Add((i + 1, (int)(units[position] & 0x7FFFFFFF)));
            }
        }
        return results;
    }

    string ReplacementAt(int value)
    {
        if (value < 0 || value >= replacements.Length)
            throw new InvalidDataException($"precompiled_charsmap replacement {value} is outside its {replacements.Length}-byte table.");
        var end = Array.IndexOf(replacements, (byte)0, value);
        return Encoding.UTF8.GetString(replacements, value, (end < 0 ? replacements.Length : end) - value);
    }

    static bool HasLeaf(uint unit) => ((unit >> 8) & 1) == 1;

    static uint Label(uint unit) => unit & ((1U << 31) | 0xFF);

    static uint Offset(uint unit) => (unit >> 10) << (int)((unit & (1U << 9)) >> 6);
}
