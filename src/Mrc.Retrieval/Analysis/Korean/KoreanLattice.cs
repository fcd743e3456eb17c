namespace Mrc.Retrieval.Analysis.Korean;

/// <summary>One morpheme of a text: its surface (or a compound's part), where it came from, its part of speech.</summary>
public readonly record struct KoreanMorpheme(string Surface, int Start, int End, string Tag, string? Reading);

/// <summary>
/// Korean morphological analysis as Nori (Lucene's Korean tokenizer) does it, on Nori's own
/// dictionary: the least-cost segmentation of a text into dictionary words (word cost plus the
/// connection cost between neighbours, plus a penalty for a particle or ending placed after a
/// space), with unknown words cut by character class and script. Compound, inflected and
/// pre-analysed words come out as their morphemes (Nori's DISCARD mode); punctuation is dropped.
/// User words (a settings file's dictionary) are placed as Nori places its user dictionary's: the
/// longest one starting at a position wins over every dictionary word there. The results are tested
/// token for token against Nori's (KoreanAnalyzerTests).
/// </summary>
public sealed class KoreanLattice
{
    // Nori's limits: an unknown word is at most this long, and when no position has been the only
    // way through for this many characters the best partial path so far is taken as settled.
    const int MaxUnknownWordLength = 1024;
    const int MaxUnsettledLength = 1024;
    /// <summary>The longest text analysed as one lattice (a few MB of arcs).</summary>
    public const int MaxSegmentLength = 8192;
    // mecab-ko-dic's left-space penalty for parts of speech that never start a word.
    const int SpacePenalty = 3000;
    const int KnownWords = 0, UnknownWords = 1, UserWords = 2;
    // A user word is a general noun (NNG) that always wins: Nori's cost and mecab-ko-dic's NNG
    // context ids (the right one depends on whether the last syllable has a final consonant).
    const int UserWordCost = -100000;
    const short UserLeftId = 1781, UserRightId = 3533, UserRightIdAfterCoda = 3535, UserRightIdAfterVowel = 3534;

    readonly KoreanLexicon dictionary;
    readonly HashSet<string> userWords;
    readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> userLookup;
    readonly int longestUserWord;
    readonly bool[] neverWordInitial;
    // CheapestPathBefore's answers for the position being extended (round extensionRound), by left context id.
    readonly int[] cachedFrom, cachedArc, cachedCost;
    int extensionRound;
    readonly List<(int End, int WordId)> matches = [];
    Arc[] arcs = new Arc[256];
    int arcCount;
    int[] firstArcAt = [];
    int[] lastArcAt = [];
    int[] arrivalsAt = [];

    /// <param name="dictionary">The lexicon (<see cref="KoreanLexicon.Default"/>).</param>
    /// <param name="userWords">Words to keep whole, in lower case.</param>
    public KoreanLattice(KoreanLexicon dictionary, IEnumerable<string>? userWords = null)
    {
        this.dictionary = dictionary;
        this.userWords = new HashSet<string>((userWords ?? []).Where(w => w.Length > 0), StringComparer.Ordinal);
        userLookup = this.userWords.GetAlternateLookup<ReadOnlySpan<char>>();
        longestUserWord = this.userWords.Count == 0 ? 0 : this.userWords.Max(w => w.Length);
        neverWordInitial = dictionary.Tags.Select(tag => tag is "E" or "J" or "VCP" or "XSA" or "XSN" or "XSV").ToArray();
        int leftIds = Math.Max(dictionary.LeftIdCount, UserLeftId + 1);
        cachedFrom = new int[leftIds];
        cachedArc = new int[leftIds];
        cachedCost = new int[leftIds];
    }

    /// <summary>One word placed in the lattice, from <see cref="Start"/> (after any spaces) to <see cref="End"/>, after the arc <see cref="Previous"/>.</summary>
    struct Arc
    {
        public int Start, End, Source, WordId, RightId, Cost, Previous, NextAtEnd;
        public bool Removed;
    }

    /// <summary>
    /// The morphemes of <paramref name="text"/>, in order. Not thread-safe: one lattice per thread.
    /// A text longer than <see cref="MaxSegmentLength"/> is analysed in segments cut after a space
    /// where it has one, so the lattice's memory stays bounded whatever the text's length (a whole
    /// document indexed unchunked); only the words next to a cut can then differ from Nori's.
    /// </summary>
    public List<KoreanMorpheme> Analyze(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length <= MaxSegmentLength) return AnalyzeSegment(text);
        var result = new List<KoreanMorpheme>();
        for (int from = 0; from < text.Length;)
        {
            int to = SegmentEnd(text, from);
            foreach (var m in AnalyzeSegment(text[from..to]))
                result.Add(m with { Start = m.Start + from, End = m.End + from });
            from = to;
        }
        return result;
    }

    /// <summary>Where the segment starting at <paramref name="from"/> ends: after the last white space in its second half, else at the limit (never inside a surrogate pair).</summary>
    static int SegmentEnd(string text, int from)
    {
        if (text.Length - from <= MaxSegmentLength) return text.Length;
        int limit = from + MaxSegmentLength;
        for (int i = limit - 1; i > from + MaxSegmentLength / 2; i--)
            if (char.IsWhiteSpace(text[i])) return i + 1;
        return char.IsHighSurrogate(text[limit - 1]) ? limit - 1 : limit;
    }

    List<KoreanMorpheme> AnalyzeSegment(string text)
    {
        var result = new List<KoreanMorpheme>();
        if (text.Length == 0) return result;
        Reset(text.Length);
        // User words are lower case (settings words are normalised so); so is the text they are looked up in.
        var userView = userWords.Count > 0 ? text.ToLowerInvariant() : null;
        int userWordsEnd = -1;
        AddArc(new Arc { Start = 0, End = 0, Source = KnownWords, WordId = -1, RightId = 0, Cost = 0, Previous = -1 });

        int pos = 0, settled = 0, furthestEnd = 0;
        while (pos < text.Length)
        {
            int arriving = arrivalsAt[pos];
            if (arriving == 0)
            {
                pos++;
                continue;
            }
            // A position that every path goes through settles what comes before it.
            if (pos > settled && arriving == 1 && furthestEnd <= pos) settled = pos;
            if (pos - settled >= MaxUnsettledLength)
            {
                settled = KeepOnlyCheapestFrom(pos, furthestEnd);
                pos = Math.Max(pos, settled);
                continue;
            }

            int start = pos;
            if (IsSpace(text[pos]))
            {
                start = pos + 1;
                while (start < text.Length && IsSpace(text[start])) start++;
                if (start == text.Length) start = pos;
            }

            matches.Clear();
            if (++extensionRound == int.MaxValue)
            {
                Array.Clear(cachedFrom);
                extensionRound = 1;
            }
            if (userView is not null && LongestUserWordAt(userView, start) is > 0 and var userLength && start + userLength - 1 > userWordsEnd)
            {
                Extend(pos, start, start + userLength, UserWords, -1, userView[start + userLength - 1]);
                furthestEnd = Math.Max(furthestEnd, start + userLength);
                userWordsEnd = start + userLength - 1;
                matches.Add((start + userLength, -1));
            }
            else dictionary.WordsAt(text, start, matches);
            foreach (var (end, wordId) in matches)
            {
                if (wordId < 0) continue;
                Extend(pos, start, end, KnownWords, wordId);
                furthestEnd = Math.Max(furthestEnd, end);
            }
            char first = text[start];
            if (matches.Count == 0 || dictionary.IsInvoke(first))
            {
                var (length, characterClass) = UnknownWord(text, start);
                foreach (int wordId in dictionary.UnknownWordsOfClass[characterClass])
                    Extend(pos, start, start + length, UnknownWords, wordId);
                furthestEnd = Math.Max(furthestEnd, start + length);
            }
            pos = start + 1;
        }

        int best = -1, bestCost = int.MaxValue;
        for (int a = firstArcAt[text.Length]; a >= 0; a = arcs[a].NextAtEnd)
        {
            if (arcs[a].Removed) continue;
            int cost = arcs[a].Cost + dictionary.ConnectionCost(arcs[a].RightId, 0);
            if (cost < bestCost) (best, bestCost) = (a, cost);
        }
        var path = new List<int>();
        for (int a = best; a > 0; a = arcs[a].Previous) path.Add(a);
        for (int i = path.Count - 1; i >= 0; i--) Emit(text, in arcs[path[i]], result);
        return result;
    }

    void Reset(int length)
    {
        arcCount = 0;
        if (firstArcAt.Length < length + 1)
        {
            firstArcAt = new int[length + 1];
            lastArcAt = new int[length + 1];
            arrivalsAt = new int[length + 1];
        }
        Array.Fill(firstArcAt, -1, 0, length + 1);
        Array.Fill(lastArcAt, -1, 0, length + 1);
        Array.Clear(arrivalsAt, 0, length + 1);
    }

    /// <summary>
    /// Places an arc at its end position, after the arcs already there (their order decides ties),
    /// and counts the arrival (a position a single arc arrives at is one every path goes through).
    /// </summary>
    void AddArc(Arc arc)
    {
        arrivalsAt[arc.End]++;
        arc.NextAtEnd = -1;
        if (arcCount == arcs.Length) Array.Resize(ref arcs, arcs.Length * 2);
        int index = arcCount++;
        arcs[index] = arc;
        if (lastArcAt[arc.End] < 0) firstArcAt[arc.End] = index;
        else arcs[lastArcAt[arc.End]].NextAtEnd = index;
        lastArcAt[arc.End] = index;
    }

    static short UserRightIdFor(char last) =>
        last is < '\uAC00' or > '\uD7A3' ? UserRightId
        : (last - 0xAC00) % 28 != 0 ? UserRightIdAfterCoda : UserRightIdAfterVowel;

    int LongestUserWordAt(string text, int start)
    {
        for (int length = Math.Min(longestUserWord, text.Length - start); length > 0; length--)
            if (userLookup.Contains(text.AsSpan(start, length))) return length;
        return 0;
    }

    /// <summary>Places a word from <paramref name="start"/> to <paramref name="end"/> after the cheapest path ending at <paramref name="from"/>.</summary>
    void Extend(int from, int start, int end, int source, int wordId, char userLastChar = '\0')
    {
        var words = source == UnknownWords ? dictionary.UnknownWords : dictionary.Words;
        bool user = source == UserWords;
        int leftId = user ? UserLeftId : words.LeftId[wordId];
        // A user word is a noun, and nouns may follow a space.
        int penalty = !user && start > from && IsNeverWordInitial(words.LeftPos[wordId]) ? SpacePenalty : 0;
        var (best, bestCost) = CheapestPathBefore(from, leftId);
        bestCost += penalty;
        AddArc(new Arc
        {
            Start = start, End = end, Source = source, WordId = wordId,
            RightId = user ? UserRightIdFor(userLastChar) : words.RightId[wordId], Cost = bestCost + (user ? UserWordCost : words.Cost[wordId]), Previous = best,
        });
    }

    /// <summary>
    /// The arc ending at <paramref name="from"/> after which a word with left context
    /// <paramref name="leftId"/> is cheapest, and that cost (the first such arc on a tie). Many words
    /// starting at a position share a left context (every general noun has the same), so the answer
    /// is kept for the position being extended.
    /// </summary>
    (int Arc, int Cost) CheapestPathBefore(int from, int leftId)
    {
        if (cachedFrom[leftId] == extensionRound) return (cachedArc[leftId], cachedCost[leftId]);
        int best = -1, bestCost = int.MaxValue;
        for (int a = firstArcAt[from]; a >= 0; a = arcs[a].NextAtEnd)
        {
            ref readonly var arc = ref arcs[a];
            if (arc.Removed) continue;
            int cost = arc.Cost + dictionary.ConnectionCost(arc.RightId, leftId);
            if (cost < bestCost) (best, bestCost) = (a, cost);
        }
        cachedFrom[leftId] = extensionRound;
        cachedArc[leftId] = best;
        cachedCost[leftId] = bestCost;
        return (best, bestCost);
    }

    /// <summary>Keeps only the cheapest arc ending in [<paramref name="from"/>, <paramref name="to"/>]; returns where it ends.</summary>
    int KeepOnlyCheapestFrom(int from, int to)
    {
        int best = -1, bestCost = int.MaxValue;
        for (int p = from; p <= to; p++)
            for (int a = firstArcAt[p]; a >= 0; a = arcs[a].NextAtEnd)
                if (!arcs[a].Removed && arcs[a].Cost < bestCost) (best, bestCost) = (a, arcs[a].Cost);
        for (int p = from; p <= to; p++)
        {
            arrivalsAt[p] = 0;
            for (int a = firstArcAt[p]; a >= 0; a = arcs[a].NextAtEnd)
                if (a != best) arcs[a].Removed = true;
        }
        arrivalsAt[arcs[best].End] = 1;
        return arcs[best].End;
    }

    /// <summary>How long the unknown word starting at <paramref name="start"/> is, and the character class whose entries it takes.</summary>
    (int Length, int CharacterClass) UnknownWord(string text, int start)
    {
        char first = text[start];
        int characterClass = dictionary.CharacterClass(first);
        if (!dictionary.IsGroup(first)) return (1, characterClass);
        // Characters of the same script, punctuation-ness and digit-ness form one unknown word.
        int length = 1;
        int script = dictionary.Script(first);
        bool punctuation = IsPunctuation(first);
        bool digit = dictionary.Category(first) == KoreanLexicon.JavaCategory.DecimalDigitNumber;
        for (int i = start + 1; i < text.Length && length < MaxUnknownWordLength; i++)
        {
            char c = text[i];
            var category = dictionary.Category(c);
            int s = dictionary.Script(c);
            bool sameScript = s == script || dictionary.IsCommonOrInherited(script) || dictionary.IsCommonOrInherited(s)
                || category == KoreanLexicon.JavaCategory.NonSpacingMark;
            if (!sameScript || IsPunctuation(c) != punctuation
                || (category == KoreanLexicon.JavaCategory.DecimalDigitNumber) != digit || !dictionary.IsGroup(c))
                break;
            length++;
            // A word that began with a common character (a digit, a sign) takes the script and class of its first letter.
            if (dictionary.IsCommonOrInherited(script) && !dictionary.IsCommonOrInherited(s))
            {
                script = s;
                characterClass = dictionary.CharacterClass(c);
            }
        }
        return (length, characterClass);
    }

    /// <summary>Adds the morphemes of one arc of the best path: the word itself, or its parts for a compound or inflected form.</summary>
    void Emit(string text, in Arc arc, List<KoreanMorpheme> output)
    {
        if (arc.Source == UserWords)
        {
            if (!IsPunctuation(text[arc.Start])) output.Add(new KoreanMorpheme(text[arc.Start..arc.End], arc.Start, arc.End, "NNG", null));
            return;
        }
        var words = arc.Source == KnownWords ? dictionary.Words : dictionary.UnknownWords;
        int w = arc.WordId;
        var type = words.Type[w];
        var tags = words.PartTags(w);
        if (type == KoreanLexicon.WordType.Morpheme || tags.IsEmpty)
        {
            if (type == KoreanLexicon.WordType.Morpheme && IsPunctuation(text[arc.Start])) return;
            output.Add(new KoreanMorpheme(text[arc.Start..arc.End], arc.Start, arc.End, dictionary.Tags[words.LeftPos[w]],
                words.Readings.GetValueOrDefault(w)));
            return;
        }
        // A compound's parts are consecutive pieces of its surface, placed from its end back (as
        // Nori places them); an inflected form's parts (했 → 하 + 았) are not, so each covers the whole form.
        var surfaces = words.PartSurfaces(w);
        var placed = new KoreanMorpheme[tags.Length];
        int end = arc.End;
        for (int i = tags.Length - 1; i >= 0; i--)
        {
            string surface = surfaces[i], tag = dictionary.Tags[tags[i]];
            placed[i] = type == KoreanLexicon.WordType.Compound
                ? new KoreanMorpheme(surface, end - surface.Length, end, tag, null)
                : new KoreanMorpheme(surface, arc.Start, arc.End, tag, null);
            end -= surface.Length;
        }
        output.AddRange(placed);
    }

    bool IsSpace(char c) => dictionary.Category(c) == KoreanLexicon.JavaCategory.SpaceSeparator;

    /// <summary>Particles, endings, the copula and suffixes: a space before them costs <see cref="SpacePenalty"/>.</summary>
    bool IsNeverWordInitial(byte tag) => neverWordInitial[tag];

    /// <summary>Nori's punctuation: separators, controls, punctuation and symbols, and the Hangul letter araea (ㆍ, used as an interpunct).</summary>
    bool IsPunctuation(char c) => c == '\u318D' || dictionary.Category(c) switch
    {
        KoreanLexicon.JavaCategory.SpaceSeparator or KoreanLexicon.JavaCategory.LineSeparator
            or KoreanLexicon.JavaCategory.ParagraphSeparator or KoreanLexicon.JavaCategory.Control
            or KoreanLexicon.JavaCategory.Format or KoreanLexicon.JavaCategory.DashPunctuation
            or KoreanLexicon.JavaCategory.StartPunctuation or KoreanLexicon.JavaCategory.EndPunctuation
            or KoreanLexicon.JavaCategory.ConnectorPunctuation or KoreanLexicon.JavaCategory.OtherPunctuation
            or KoreanLexicon.JavaCategory.MathSymbol or KoreanLexicon.JavaCategory.CurrencySymbol
            or KoreanLexicon.JavaCategory.ModifierSymbol or KoreanLexicon.JavaCategory.OtherSymbol
            or KoreanLexicon.JavaCategory.InitialQuotePunctuation or KoreanLexicon.JavaCategory.FinalQuotePunctuation => true,
        _ => false,
    };
}
