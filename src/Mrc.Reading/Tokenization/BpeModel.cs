namespace Mrc.Reading.Tokenization;

/// <summary>
/// Byte-pair merging as Hugging Face's <c>BPE</c> model does it: a word starts as one symbol per
/// character; the adjacent pair with the lowest merge rank (leftmost on ties) is merged until no
/// listed merge applies. A character missing from the vocabulary becomes the unknown token, or is
/// dropped when the model has none.
/// </summary>
public sealed class BpeModel
{
    readonly Dictionary<string, int> vocab;
    readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> lookup;
    readonly Dictionary<(int Left, int Right), (int Rank, int Merged)> merges;

    /// <exception cref="InvalidDataException">A merge names a token the vocabulary lacks.</exception>
    public BpeModel(IReadOnlyDictionary<string, int> vocabulary, IReadOnlyList<(string Left, string Right)> mergeList, int? unknownId, bool ignoreMerges)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(mergeList);
        vocab = new Dictionary<string, int>(vocabulary, StringComparer.Ordinal);
        lookup = vocab.GetAlternateLookup<ReadOnlySpan<char>>();
        merges = new Dictionary<(int, int), (int, int)>(mergeList.Count);
        for (var rank = 0; rank < mergeList.Count; rank++)
        {
            var (left, right) = mergeList[rank];
            if (!vocab.TryGetValue(left, out var l) || !vocab.TryGetValue(right, out var r) || !vocab.TryGetValue(left + right, out var merged))
                throw new InvalidDataException($"merge {rank + 1} ('{left} {right}') uses a token that is not in the vocabulary.");
            merges.TryAdd((l, r), (rank, merged));
        }
        UnknownId = unknownId;
        IgnoreMerges = ignoreMerges;
    }

    public int? UnknownId { get; }

    /// <summary>A word found whole in the vocabulary is one token (Hugging Face's <c>ignore_merges</c>).</summary>
    public bool IgnoreMerges { get; }

    public IReadOnlyDictionary<string, int> Vocabulary => vocab;

    /// <summary>Tokens of one word: (id, start, end) in UTF-16 indices of <paramref name="word"/>.</summary>
    public List<(int Id, int Start, int End)> Encode(ReadOnlySpan<char> word)
    {
        var symbols = new List<(int Id, int Start, int End)>();
        if (word.IsEmpty) return symbols;
        if (IgnoreMerges && lookup.TryGetValue(word, out var whole))
        {
            symbols.Add((whole, 0, word.Length));
            return symbols;
        }
        for (var i = 0; i < word.Length;)
        {
            var width = char.IsHighSurrogate(word[i]) && i + 1 < word.Length && char.IsLowSurrogate(word[i + 1]) ? 2 : 1;
            if (lookup.TryGetValue(word.Slice(i, width), out var id)) symbols.Add((id, i, i + width));
            else if (UnknownId is { } unk) symbols.Add((unk, i, i + width));
            i += width;
        }
        while (symbols.Count > 1)
        {
            var best = -1;
            var bestRank = int.MaxValue;
            var bestMerged = 0;
            for (var k = 0; k + 1 < symbols.Count; k++)
            {
                if (merges.TryGetValue((symbols[k].Id, symbols[k + 1].Id), out var merge) && merge.Rank < bestRank)
                {
                    (best, bestRank, bestMerged) = (k, merge.Rank, merge.Merged);
                }
            }
            if (best < 0) break;
            symbols[best] = (bestMerged, symbols[best].Start, symbols[best + 1].End);
            symbols.RemoveAt(best + 1);
        }
        return symbols;
    }
}
