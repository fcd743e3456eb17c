using System.Buffers.Binary;
using System.IO.Compression;
using System.Reflection;

namespace Mrc.Retrieval.Analysis.Korean;

/// <summary>
/// The Korean morphological dictionary: mecab-ko-dic as Lucene's Nori compiled it (Apache-2.0, see
/// NOTICE.md beside this file), exported by tools/lucene-reference/NoriDictionary.java into
/// <c>ko-dic.bin.gz</c>, embedded in this assembly. Loaded once per process on first use (about
/// 0.8 million surface forms and a 3,815 × 2,690 connection cost matrix: about a second and 65 MB of
/// managed memory).
/// </summary>
public sealed class KoreanLexicon
{
    const string ResourceName = "Mrc.Retrieval.Analysis.Korean.ko-dic.bin.gz";
    const int FormatVersion = 1;
    const ushort NoString = 0xFFFF;

    static readonly Lazy<KoreanLexicon> Shared = new(() => Load(OpenEmbedded()), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The dictionary shipped in this assembly.</summary>
    public static KoreanLexicon Default => Shared.Value;

    /// <summary>Part-of-speech tag names (mecab-ko-dic / Sejong tags), by tag number.</summary>
    public IReadOnlyList<string> Tags { get; }

    /// <summary>Known words: one entry per dictionary row.</summary>
    internal WordTable Words { get; }

    /// <summary>Unknown-word entries for each character class.</summary>
    internal WordTable UnknownWords { get; }
    internal int[][] UnknownWordsOfClass { get; }

    // Surfaces in ordinal order, as one char array; the words of surface s are wordIds[wordStart[s]..wordStart[s+1]).
    readonly char[] surfaceChars;
    readonly int[] surfaceStart;
    readonly int[] wordStart;
    readonly int[] wordIds;
    // The surfaces that begin with character c are [firstSurface[c], firstSurface[c + 1]).
    readonly int[] firstSurface;

    readonly short[] connectionCosts;
    readonly int backwardSize;

    readonly byte[] characterClass;
    readonly byte[] characterFlags;
    readonly byte[] generalCategory;
    readonly byte[] script;
    readonly byte commonScript;
    readonly byte inheritedScript;

    KoreanLexicon(Reader r)
    {
        if (r.Ascii(8) != "MRCKODIC") throw new InvalidDataException("Not a Korean dictionary file (no MRCKODIC header).");
        int version = r.Int();
        if (version != FormatVersion) throw new InvalidDataException($"Korean dictionary format {version}; this build reads format {FormatVersion}.");
        Tags = Enumerable.Range(0, r.Byte()).Select(_ => r.String()!).ToArray();
        var types = Enumerable.Range(0, r.Byte()).Select(_ => r.String()!).ToArray();
        if (!types.SequenceEqual(["MORPHEME", "COMPOUND", "INFLECT", "PREANALYSIS"]))
            throw new InvalidDataException("Unexpected word types in the Korean dictionary: " + string.Join(", ", types));

        Words = WordTable.Read(r, r.Int(), withDetails: true);

        int surfaces = r.Int();
        var chars = new char[surfaces * 4];
        surfaceStart = new int[surfaces + 1];
        wordStart = new int[surfaces + 1];
        wordIds = new int[Words.Count];
        int length = 0, idCount = 0, previousStart = 0, previousLength = 0;
        for (int s = 0; s < surfaces; s++)
        {
            // Front-coded: the first `shared` characters are the previous surface's.
            int shared = r.Byte();
            if (shared > previousLength) throw new InvalidDataException("A surface form in the Korean dictionary shares more than the previous one has.");
            if (length + shared > chars.Length) Array.Resize(ref chars, chars.Length * 2);
            surfaceStart[s] = length;
            Array.Copy(chars, previousStart, chars, length, shared);
            length += shared;
            length += r.StringInto(ref chars, length);
            (previousStart, previousLength) = (surfaceStart[s], length - surfaceStart[s]);
            wordStart[s] = idCount;
            int count = r.Byte();
            if (idCount + count > wordIds.Length) Array.Resize(ref wordIds, Math.Max(wordIds.Length * 2, idCount + count));
            for (int i = 0; i < count; i++) wordIds[idCount++] = r.Int();
        }
        surfaceStart[surfaces] = length;
        wordStart[surfaces] = idCount;
        surfaceChars = chars[..length];
        if (idCount != wordIds.Length) wordIds = wordIds[..idCount];
        firstSurface = new int[0x10001];
        for (int c = 0, s = 0; c <= 0x10000; c++)
        {
            while (s < surfaces && surfaceChars[surfaceStart[s]] < c) s++;
            firstSurface[c] = s;
        }

        int forwardSize = r.UShort();
        backwardSize = r.UShort();
        connectionCosts = new short[forwardSize * backwardSize];
        for (int f = 0; f < forwardSize; f++)
            for (int b = 0; b < backwardSize; b++)
                connectionCosts[f * backwardSize + b] = (short)((f == 0 ? 0 : connectionCosts[(f - 1) * backwardSize + b]) + r.Short());

        int classes = r.Byte();
        characterClass = r.Bytes(0x10000);
        characterFlags = r.Bytes(0x10000);
        UnknownWordsOfClass = new int[classes][];
        var unknown = new List<(short Left, short Right, short Cost, byte Type, byte LeftPos, byte RightPos)>();
        for (int c = 0; c < classes; c++)
        {
            int count = r.Byte();
            UnknownWordsOfClass[c] = new int[count];
            for (int i = 0; i < count; i++)
            {
                UnknownWordsOfClass[c][i] = unknown.Count;
                unknown.Add((r.Short(), r.Short(), r.Short(), r.Byte(), r.Byte(), r.Byte()));
            }
        }
        UnknownWords = WordTable.From(unknown);

        generalCategory = r.Bytes(0x10000);
        commonScript = r.Byte();
        inheritedScript = r.Byte();
        script = r.Bytes(0x10000);
    }

    /// <summary>Reads a dictionary file as NoriDictionary.java writes it (gzip-compressed).</summary>
    public static KoreanLexicon Load(Stream compressed)
    {
        // Read as it is decompressed: loading leaves little garbage beside the tables themselves.
        using var gzip = new GZipStream(compressed, CompressionMode.Decompress);
        using var buffered = new BufferedStream(gzip, 1 << 16);
        return new KoreanLexicon(new Reader(buffered));
    }

    static Stream OpenEmbedded() =>
        typeof(KoreanLexicon).Assembly.GetManifestResourceStream(ResourceName)
        ?? throw new InvalidOperationException($"The Korean dictionary resource '{ResourceName}' is missing from {typeof(KoreanLexicon).Assembly.GetName().Name}.");

    /// <summary>
    /// Adds (end, word id) to <paramref name="matches"/> for every dictionary word that starts at
    /// <paramref name="start"/> in <paramref name="text"/>: shortest first, each surface's words in
    /// dictionary order (the order the reference analyzer meets them, which decides ties).
    /// </summary>
    internal void WordsAt(ReadOnlySpan<char> text, int start, List<(int End, int WordId)> matches)
    {
        int lo = firstSurface[text[start]], hi = firstSurface[text[start] + 1];
        for (int depth = 1; lo < hi; depth++)
        {
            // [lo, hi) share text[start .. start + depth); a surface of exactly that length sorts first.
            if (SurfaceLength(lo) == depth)
            {
                for (int i = wordStart[lo]; i < wordStart[lo + 1]; i++) matches.Add((start + depth, wordIds[i]));
                lo++;
            }
            if (start + depth >= text.Length) break;
            char next = text[start + depth];
            lo = FirstWithAtLeast(lo, hi, depth, next);
            hi = FirstAbove(lo, hi, depth, next);
        }
    }

    int SurfaceLength(int s) => surfaceStart[s + 1] - surfaceStart[s];

    /// <summary>The first surface in [lo, hi) whose character at <paramref name="depth"/> is at least <paramref name="c"/> (all are longer than depth).</summary>
    int FirstWithAtLeast(int lo, int hi, int depth, char c)
    {
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (surfaceChars[surfaceStart[mid] + depth] < c) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /// <summary>The first surface in [lo, hi) whose character at <paramref name="depth"/> is above <paramref name="c"/>.</summary>
    int FirstAbove(int lo, int hi, int depth, char c)
    {
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (surfaceChars[surfaceStart[mid] + depth] <= c) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /// <summary>The cost of a word whose left context id is <paramref name="leftId"/> following one whose right context id is <paramref name="rightId"/>.</summary>
    internal int ConnectionCost(int rightId, int leftId) => connectionCosts[rightId * backwardSize + leftId];

    /// <summary>How many left context ids there are (the connection matrix's second dimension).</summary>
    internal int LeftIdCount => backwardSize;

    internal int CharacterClass(char c) => characterClass[c];
    internal bool IsInvoke(char c) => (characterFlags[c] & 1) != 0;
    internal bool IsGroup(char c) => (characterFlags[c] & 2) != 0;
    internal JavaCategory Category(char c) => (JavaCategory)generalCategory[c];
    internal int Script(char c) => script[c];
    internal bool IsCommonOrInherited(int s) => s == commonScript || s == inheritedScript;

    /// <summary>Known or unknown word entries as parallel arrays.</summary>
    internal sealed class WordTable
    {
        public required short[] LeftId { get; init; }
        public required short[] RightId { get; init; }
        public required short[] Cost { get; init; }
        public required WordType[] Type { get; init; }
        public required byte[] LeftPos { get; init; }
        public required byte[] RightPos { get; init; }
        /// <summary>Readings (Hangul for Hanja words); only some words have one.</summary>
        public Dictionary<int, string> Readings { get; init; } = [];
        // The morphemes of compound, inflected and pre-analysed words: word w's are parts
        // [partStart[w], partStart[w + 1]) (none when equal), as flat arrays because a third of all
        // words have some; their surfaces are shared strings (하, 았, ...).
        int[] partStart = [];
        byte[] partTag = [];
        string[] partSurface = [];
        public int Count => LeftId.Length;

        /// <summary>The parts of word <paramref name="w"/>, or an empty list when it has none.</summary>
        public ReadOnlySpan<byte> PartTags(int w) => partStart.Length == 0 ? default : partTag.AsSpan(partStart[w], partStart[w + 1] - partStart[w]);
        public ReadOnlySpan<string> PartSurfaces(int w) => partStart.Length == 0 ? default : partSurface.AsSpan(partStart[w], partStart[w + 1] - partStart[w]);

        public static WordTable Read(Reader r, int count, bool withDetails)
        {
            var table = new WordTable
            {
                LeftId = new short[count], RightId = new short[count], Cost = new short[count],
                Type = new WordType[count], LeftPos = new byte[count], RightPos = new byte[count],
            };
            var starts = withDetails ? new int[count + 1] : [];
            var tags = new List<byte>();
            var surfaces = new List<string>();
            var shared = new HashSet<string>(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
            for (int w = 0; w < count; w++)
            {
                if (withDetails) starts[w] = tags.Count;
                table.LeftId[w] = r.Short();
                table.RightId[w] = r.Short();
                table.Cost[w] = r.Short();
                table.Type[w] = (WordType)r.Byte();
                table.LeftPos[w] = r.Byte();
                table.RightPos[w] = r.Byte();
                if (!withDetails) continue;
                if (r.String() is { } reading) table.Readings[w] = reading;
                int morphemes = r.Byte();
                if (morphemes == 0xFF) continue;
                for (int i = 0; i < morphemes; i++)
                {
                    tags.Add(r.Byte());
                    surfaces.Add(r.SharedString(shared));
                }
            }
            if (withDetails)
            {
                starts[count] = tags.Count;
                table.partStart = starts;
                table.partTag = tags.ToArray();
                table.partSurface = surfaces.ToArray();
            }
            return table;
        }

        public static WordTable From(List<(short Left, short Right, short Cost, byte Type, byte LeftPos, byte RightPos)> rows) => new()
        {
            LeftId = rows.Select(x => x.Left).ToArray(),
            RightId = rows.Select(x => x.Right).ToArray(),
            Cost = rows.Select(x => x.Cost).ToArray(),
            Type = rows.Select(x => (WordType)x.Type).ToArray(),
            LeftPos = rows.Select(x => x.LeftPos).ToArray(),
            RightPos = rows.Select(x => x.RightPos).ToArray(),
        };
    }

    internal enum WordType : byte { Morpheme, Compound, Inflect, Preanalysis }

    /// <summary>Java's Character.getType values (the file stores the JVM's, which the reference analyzer used).</summary>
    internal enum JavaCategory : byte
    {
        NonSpacingMark = 6, DecimalDigitNumber = 9, SpaceSeparator = 12, LineSeparator = 13, ParagraphSeparator = 14,
        Control = 15, Format = 16, DashPunctuation = 20, StartPunctuation = 21, EndPunctuation = 22,
        ConnectorPunctuation = 23, OtherPunctuation = 24, MathSymbol = 25, CurrencySymbol = 26, ModifierSymbol = 27,
        OtherSymbol = 28, InitialQuotePunctuation = 29, FinalQuotePunctuation = 30,
    }

    /// <summary>Big-endian reads over the decompressed file.</summary>
    internal sealed class Reader(Stream data)
    {
        readonly byte[] scratch = new byte[1024];

        ReadOnlySpan<byte> Take(int n)
        {
            var span = n <= scratch.Length ? scratch.AsSpan(0, n) : new byte[n];
            try
            {
                data.ReadExactly(span);
            }
            catch (EndOfStreamException e)
            {
                throw new InvalidDataException("The Korean dictionary file is truncated.", e);
            }
            return span;
        }

        public byte Byte() => Take(1)[0];
        public short Short() => BinaryPrimitives.ReadInt16BigEndian(Take(2));
        public ushort UShort() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));
        public int Int() => BinaryPrimitives.ReadInt32BigEndian(Take(4));
        public byte[] Bytes(int n) => Take(n).ToArray();
        public string Ascii(int n) => System.Text.Encoding.ASCII.GetString(Take(n));

        public string? String()
        {
            ushort length = UShort();
            if (length == NoString) return null;
            var bytes = Take(length * 2);
            var chars = length <= 256 ? stackalloc char[length] : new char[length];
            for (int i = 0; i < length; i++) chars[i] = (char)BinaryPrimitives.ReadUInt16BigEndian(bytes[(i * 2)..]);
            return new string(chars);
        }

        /// <summary>A string, the same instance as an equal one read before (compound parts repeat: 하, 았, ...).</summary>
        public string SharedString(HashSet<string>.AlternateLookup<ReadOnlySpan<char>> pool)
        {
            ushort length = UShort();
            if (length == NoString || length > 256) throw new InvalidDataException("A morpheme in the Korean dictionary is missing or too long.");
            var bytes = Take(length * 2);
            Span<char> chars = stackalloc char[length];
            for (int i = 0; i < length; i++) chars[i] = (char)BinaryPrimitives.ReadUInt16BigEndian(bytes[(i * 2)..]);
            if (pool.TryGetValue(chars, out var known)) return known;
            var created = new string(chars);
            pool.Add(created);
            return created;
        }

        /// <summary>A string's characters appended to <paramref name="chars"/> at <paramref name="at"/> (grown as needed); returns how many.</summary>
        public int StringInto(ref char[] chars, int at)
        {
            ushort length = UShort();
            if (length == NoString) throw new InvalidDataException("A surface form in the Korean dictionary is missing.");
            if (at + length > chars.Length) Array.Resize(ref chars, Math.Max(chars.Length * 2, at + length));
            var bytes = Take(length * 2);
            for (int i = 0; i < length; i++) chars[at + i] = (char)BinaryPrimitives.ReadUInt16BigEndian(bytes[(i * 2)..]);
            return length;
        }
    }
}
