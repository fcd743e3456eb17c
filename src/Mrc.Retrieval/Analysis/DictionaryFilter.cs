using Lucene.Net.Analysis;
using Lucene.Net.Analysis.TokenAttributes;
using Mrc.Retrieval.Settings;

namespace Mrc.Retrieval.Analysis;

/// <summary>
/// Cuts user-dictionary and synonym words out of the text's words as whole tokens, so the bigram
/// stage leaves them alone, and replaces a synonym by its group's first member. Inside a Hangul or
/// Han word the longest entry starting at each character wins (국립중앙박물관에서 → 국립중앙박물관 +
/// 에서, the rest keeps its type and is bigrammed as before); any other word must match an entry whole.
/// </summary>
internal sealed class DictionaryFilter : TokenFilter
{
    /// <summary>Token type of a dictionary word: not a CJK type, so the bigram filters pass it through whole.</summary>
    public const string WordType = "<DICTIONARY>";

    static readonly HashSet<string> SplittableTypes = ["<HANGUL>", "<IDEOGRAPHIC>"];

    readonly Dictionary<string, string> entries;
    readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> lookup;
    readonly int longest;
    readonly ICharTermAttribute term;
    readonly IOffsetAttribute offset;
    readonly ITypeAttribute type;
    readonly IPositionIncrementAttribute positionIncrement;
    readonly Queue<(string Text, int Start, int End, string Type)> pending = new();

    public DictionaryFilter(TokenStream input, Dictionary<string, string> entries) : base(input)
    {
        this.entries = entries;
        lookup = entries.GetAlternateLookup<ReadOnlySpan<char>>();
        longest = entries.Keys.Max(k => k.Length);
        term = AddAttribute<ICharTermAttribute>();
        offset = AddAttribute<IOffsetAttribute>();
        type = AddAttribute<ITypeAttribute>();
        positionIncrement = AddAttribute<IPositionIncrementAttribute>();
    }

    /// <summary>Every dictionary and synonym word (normalised) and the token it becomes.</summary>
    public static Dictionary<string, string> Entries(IndexSettings settings)
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var word in settings.UserDictionary.Select(AnalyzerCatalog.Normalize)) entries[word] = word;
        foreach (var group in settings.Synonyms)
        {
            string canonical = AnalyzerCatalog.Normalize(group[0]);
            foreach (var word in group) entries[AnalyzerCatalog.Normalize(word)] = canonical;
        }
        return entries;
    }

    public override bool IncrementToken()
    {
        if (pending.Count > 0)
        {
            Emit(pending.Dequeue());
            positionIncrement.PositionIncrement = 1;
            return true;
        }
        if (!m_input.IncrementToken()) return false;
        string word = term.ToString();
        if (!SplittableTypes.Contains(type.Type))
        {
            if (entries.TryGetValue(word, out var whole))
            {
                term.SetEmpty().Append(whole);
                type.Type = WordType;
            }
            return true;
        }
        Split(word);
        if (pending.Count == 0) return true;
        // The first piece takes this token's place (and its position increment); the rest follow.
        Emit(pending.Dequeue());
        return true;
    }

    /// <summary>Queues the pieces of <paramref name="word"/>, or nothing when no entry occurs in it.</summary>
    void Split(string word)
    {
        int start = offset.StartOffset, end = offset.EndOffset;
        // Offsets can be given per character only when folding kept the word's length.
        bool exactOffsets = end - start == word.Length;
        string wordType = type.Type;
        int plainFrom = 0;
        for (int i = 0; i < word.Length;)
        {
            int length = LongestEntryAt(word, i);
            if (length == 0)
            {
                i++;
                continue;
            }
            if (i > plainFrom) Queue(word, plainFrom, i, wordType);
            Queue(word, i, i + length, WordType, lookup[word.AsSpan(i, length)]);
            i += length;
            plainFrom = i;
        }
        if (pending.Count == 0) return;
        if (plainFrom < word.Length) Queue(word, plainFrom, word.Length, wordType);

        void Queue(string text, int from, int to, string pieceType, string? replacement = null) =>
            pending.Enqueue((replacement ?? text[from..to], exactOffsets ? start + from : start, exactOffsets ? start + to : end, pieceType));
    }

    int LongestEntryAt(string word, int at)
    {
        for (int length = Math.Min(longest, word.Length - at); length > 0; length--)
            if (lookup.ContainsKey(word.AsSpan(at, length))) return length;
        return 0;
    }

    void Emit((string Text, int Start, int End, string Type) piece)
    {
        term.SetEmpty().Append(piece.Text);
        offset.SetOffset(piece.Start, piece.End);
        type.Type = piece.Type;
    }

    public override void Reset()
    {
        base.Reset();
        pending.Clear();
    }
}
