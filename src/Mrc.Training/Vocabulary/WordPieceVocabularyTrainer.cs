namespace Mrc.Training.Vocabulary;

/// <summary>
/// Learns a WordPiece vocabulary the way Hugging Face's WordPieceTrainer does: byte-pair merges
/// over pre-tokenized words, where every piece after the first of a word carries the "##"
/// continuation prefix. Starts from every character seen at least <see cref="MinFrequency"/> times
/// (both as a word start and as "##" continuation), then adds the most frequent merge until the
/// vocabulary reaches its size. Ties break by the pieces' ordinal order, so a corpus always gives
/// the same vocabulary.
/// </summary>
public sealed class WordPieceVocabularyTrainer
{
    public static readonly string[] SpecialTokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];

    public int VocabularySize { get; init; } = 16000;
    public int MinFrequency { get; init; } = 2;

    /// <summary>Reports (merges done, merges wanted) now and then; training large corpora takes a while.</summary>
    public IProgress<(int Done, int Total)>? Progress { get; init; }

    public IReadOnlyList<string> Train(IEnumerable<string> texts)
    {
        if (VocabularySize < SpecialTokens.Length + 2)
            throw new ArgumentException($"vocabulary size must be at least {SpecialTokens.Length + 2}", nameof(texts));

        var wordCounts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var text in texts)
            foreach (var word in BertPreTokenizer.Words(text))
                wordCounts[word] = wordCounts.GetValueOrDefault(word) + 1;
        if (wordCounts.Count == 0) throw new ArgumentException("the corpus has no text to learn a vocabulary from", nameof(texts));

        var vocabulary = new List<string>(SpecialTokens);
        var known = new HashSet<string>(vocabulary, StringComparer.Ordinal);

        // Alphabet: characters frequent enough, as word starts and as continuations.
        var charCounts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (word, count) in wordCounts)
        {
            bool first = true;
            foreach (var rune in word.EnumerateRunes())
            {
                string piece = first ? rune.ToString() : "##" + rune;
                charCounts[piece] = charCounts.GetValueOrDefault(piece) + count;
                first = false;
            }
        }
        foreach (var piece in charCounts.Where(p => p.Value >= MinFrequency).OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key))
        {
            if (vocabulary.Count >= VocabularySize) break;
            if (known.Add(piece)) vocabulary.Add(piece);
        }

        var words = wordCounts
            .Select(w => new Word(Split(w.Key, known), w.Value))
            .Where(w => w.Pieces.Count > 1)
            .ToList();
        Merge(words, vocabulary, known);
        return vocabulary;
    }

    /// <summary>Writes vocab.txt, tokenizer_config.json and special_tokens_map.json that Hugging Face's BertTokenizer loads.</summary>
    public static void Save(IReadOnlyList<string> vocabulary, string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllLines(Path.Combine(directory, "vocab.txt"), vocabulary);
        File.WriteAllText(Path.Combine(directory, "tokenizer_config.json"), """
            {
              "tokenizer_class": "BertTokenizer",
              "do_lower_case": false,
              "strip_accents": false,
              "tokenize_chinese_chars": true,
              "model_max_length": 512,
              "unk_token": "[UNK]",
              "sep_token": "[SEP]",
              "pad_token": "[PAD]",
              "cls_token": "[CLS]",
              "mask_token": "[MASK]"
            }
            """ + "\n");
        File.WriteAllText(Path.Combine(directory, "special_tokens_map.json"), """
            {"unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]", "cls_token": "[CLS]", "mask_token": "[MASK]"}
            """ + "\n");
    }

    sealed class Word(List<string> pieces, long count)
    {
        public List<string> Pieces { get; } = pieces;
        public long Count { get; } = count;
    }

    static List<string> Split(string word, HashSet<string> known)
    {
        var pieces = new List<string>();
        bool first = true;
        foreach (var rune in word.EnumerateRunes())
        {
            pieces.Add(first ? rune.ToString() : "##" + rune);
            first = false;
        }
        // A word with a character outside the alphabet can never be a vocabulary entry; drop it from merging.
        return pieces.All(known.Contains) ? pieces : [];
    }

    static string Join(string left, string right) => left + (right.StartsWith("##", StringComparison.Ordinal) ? right[2..] : right);

    void Merge(List<Word> words, List<string> vocabulary, HashSet<string> known)
    {
        var pairCounts = new Dictionary<(string, string), long>();
        var pairWords = new Dictionary<(string, string), HashSet<int>>();
        for (int w = 0; w < words.Count; w++) AddPairs(words, w, pairCounts, pairWords, +1);

        // Max-heap on count (then ordinal order of the pair) with lazy deletion of stale entries.
        var heap = new PriorityQueue<(string, string), (long, string, string)>(
            Comparer<(long Count, string Left, string Right)>.Create((a, b) =>
            {
                int byCount = b.Count.CompareTo(a.Count);
                if (byCount != 0) return byCount;
                int byLeft = string.CompareOrdinal(a.Left, b.Left);
                return byLeft != 0 ? byLeft : string.CompareOrdinal(a.Right, b.Right);
            }));
        foreach (var (pair, count) in pairCounts) heap.Enqueue(pair, (count, pair.Item1, pair.Item2));

        int wanted = VocabularySize - vocabulary.Count, done = 0;
        while (vocabulary.Count < VocabularySize && heap.TryDequeue(out var best, out var priority))
        {
            if (pairCounts.GetValueOrDefault(best) != priority.Item1) continue; // stale entry
            if (priority.Item1 < MinFrequency) break;

            string merged = Join(best.Item1, best.Item2);
            if (known.Add(merged)) vocabulary.Add(merged);

            var touched = new HashSet<(string, string)>();
            foreach (int w in pairWords[best].ToList())
            {
                AddPairs(words, w, pairCounts, pairWords, -1, touched);
                var pieces = words[w].Pieces;
                for (int i = 0; i < pieces.Count - 1; i++)
                {
                    if (pieces[i] == best.Item1 && pieces[i + 1] == best.Item2)
                    {
                        pieces[i] = merged;
                        pieces.RemoveAt(i + 1);
                    }
                }
                AddPairs(words, w, pairCounts, pairWords, +1, touched);
            }
            pairCounts.Remove(best);
            touched.Remove(best);
            foreach (var pair in touched)
                if (pairCounts.TryGetValue(pair, out long count) && count > 0) heap.Enqueue(pair, (count, pair.Item1, pair.Item2));

            if (++done % 500 == 0) Progress?.Report((done, wanted));
        }
        Progress?.Report((done, wanted));
    }

    static void AddPairs(List<Word> words, int w, Dictionary<(string, string), long> counts,
        Dictionary<(string, string), HashSet<int>> index, int sign, HashSet<(string, string)>? touched = null)
    {
        var word = words[w];
        for (int i = 0; i < word.Pieces.Count - 1; i++)
        {
            var pair = (word.Pieces[i], word.Pieces[i + 1]);
            long count = counts.GetValueOrDefault(pair) + sign * word.Count;
            if (count <= 0) counts.Remove(pair); else counts[pair] = count;
            if (sign > 0)
            {
                if (!index.TryGetValue(pair, out var set)) index[pair] = set = [];
                set.Add(w);
            }
            touched?.Add(pair);
        }
    }
}
