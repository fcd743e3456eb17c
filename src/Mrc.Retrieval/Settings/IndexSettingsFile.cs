using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Mrc.Core.Data;
using Mrc.Retrieval.Analysis;
using Mrc.Retrieval.Search;

namespace Mrc.Retrieval.Settings;

/// <summary>
/// The settings file of an index (<c>mrc index build --settings FILE</c>, and <c>settings.json</c>
/// inside every generation). JSON with comments allowed; every key optional:
/// <code>
/// {
///   "analyzer": "korean-bigram",
///   "words_analyzer": "morphemes",
///   "stop_words": ["및", "the"],
///   "user_dictionary": ["국립중앙박물관"],
///   "synonyms": [["서울", "한양"]],
///   "field_boosts": { "text": 1.0, "title": 0.5, "words": 0.5 },
///   "bm25": { "k1": 0.2, "b": 1.0 }
/// }
/// </code>
/// A problem stops with a <see cref="DataFormatException"/> naming the file, the line and the key.
/// </summary>
public static class IndexSettingsFile
{
    public const string FileName = "settings.json";

    /// <summary>The keys of the file, spelled once.</summary>
    public static class Keys
    {
        public const string Analyzer = "analyzer";
        public const string WordsAnalyzer = "words_analyzer";
        public const string StopWords = "stop_words";
        public const string UserDictionary = "user_dictionary";
        public const string Synonyms = "synonyms";
        public const string FieldBoosts = "field_boosts";
        public const string Text = "text";
        public const string Title = "title";
        public const string Words = "words";
        public const string Bm25 = "bm25";
        public const string K1 = "k1";
        public const string B = "b";
    }

    /// <summary>Largest field boost accepted: beyond it one field would drown the other entirely.</summary>
    public const float MaxBoost = 100f;

    public static IndexSettings Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException e)
        {
            throw new FileNotFoundException($"Settings file not found: {path}", path, e);
        }
        return Parse(bytes, path);
    }

    /// <summary>Parses and checks settings; <paramref name="source"/> names the file in messages.</summary>
    public static IndexSettings Parse(ReadOnlySpan<byte> json, string source) => new Parser(json.ToArray(), source, stored: false).Parse();

    public static IndexSettings Parse(string json, string source) => Parse(Encoding.UTF8.GetBytes(json), source);

    /// <summary>
    /// Reads the settings an index was built with (a generation's settings.json, an Elasticsearch
    /// index's _meta). Such a file has every key; one without <c>words_analyzer</c> was written before
    /// that key existed, when the words field was always <see cref="WordsAnalysis.Particles"/>.
    /// </summary>
    public static IndexSettings ParseStored(string json, string source) => new Parser(Encoding.UTF8.GetBytes(json), source, stored: true).Parse();

    /// <summary><see cref="ParseStored"/> of a file.</summary>
    public static IndexSettings LoadStored(string path) => ParseStored(File.ReadAllText(path), path);

    /// <summary>The settings as the file format, every key written out.</summary>
    public static string ToJson(IndexSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString(Keys.Analyzer, settings.Analyzer);
            writer.WriteString(Keys.WordsAnalyzer, settings.WordsAnalyzer);
            WriteStrings(writer, Keys.StopWords, settings.StopWords);
            WriteStrings(writer, Keys.UserDictionary, settings.UserDictionary);
            writer.WriteStartArray(Keys.Synonyms);
            foreach (var group in settings.Synonyms) WriteStrings(writer, null, group);
            writer.WriteEndArray();
            writer.WriteStartObject(Keys.FieldBoosts);
            writer.WriteNumber(Keys.Text, settings.TextBoost);
            writer.WriteNumber(Keys.Title, settings.TitleBoost);
            writer.WriteNumber(Keys.Words, settings.WordsBoost);
            writer.WriteEndObject();
            writer.WriteStartObject(Keys.Bm25);
            writer.WriteNumber(Keys.K1, settings.K1);
            writer.WriteNumber(Keys.B, settings.B);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>Writes the settings into an index generation (beside, then renamed: never half a file).</summary>
    public static void Save(IndexSettings settings, string directory)
    {
        string path = Path.Combine(directory, FileName);
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, ToJson(settings));
        File.Move(temporary, path, overwrite: true);
    }

    static void WriteStrings(Utf8JsonWriter writer, string? name, IReadOnlyList<string> values)
    {
        if (name is null) writer.WriteStartArray();
        else writer.WriteStartArray(name);
        foreach (var value in values) writer.WriteStringValue(value);
        writer.WriteEndArray();
    }

    /// <summary>Walks the JSON with the reader so every error can name the line of the key at fault.</summary>
    sealed class Parser(byte[] json, string source, bool stored)
    {
        static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

        public IndexSettings Parse()
        {
            var reader = new Utf8JsonReader(json, ReaderOptions);
            try
            {
                var settings = ParseRoot(ref reader);
                CheckSynonymsAndDictionary(settings);
                return settings;
            }
            catch (JsonException e)
            {
                // Broken JSON syntax: the reader knows where (its line numbers count from 0).
                throw new DataFormatException(source, e.LineNumber + 1, e.BytePositionInLine + 1, $"not valid JSON ({FirstSentence(e.Message)})", e);
            }
        }

        IndexSettings ParseRoot(ref Utf8JsonReader reader)
        {
            if (!reader.Read()) throw Error(ref reader, "(file)", "is empty; write a JSON object such as { \"analyzer\": \"korean-bigram\" }.");
            if (reader.TokenType != JsonTokenType.StartObject) throw Error(ref reader, "(file)", "must be a JSON object.");
            var settings = stored ? new IndexSettings { WordsAnalyzer = WordsAnalysis.Particles } : new IndexSettings();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                string key = reader.GetString()!;
                if (!seen.Add(key)) throw Error(ref reader, key, "appears twice.");
                reader.Read();
                settings = key switch
                {
                    Keys.Analyzer => settings with { Analyzer = ReadName(ref reader, key, AnalyzerCatalog.Names, "an analyzer") },
                    Keys.WordsAnalyzer => settings with { WordsAnalyzer = ReadName(ref reader, key, WordsAnalysis.Names, "a words analyzer") },
                    Keys.StopWords => settings with { StopWords = ReadWords(ref reader, key) },
                    Keys.UserDictionary => settings with { UserDictionary = ReadWords(ref reader, key) },
                    Keys.Synonyms => settings with { Synonyms = ReadSynonyms(ref reader) },
                    Keys.FieldBoosts => ReadFieldBoosts(ref reader, settings),
                    Keys.Bm25 => ReadBm25(ref reader, settings),
                    _ => throw Error(ref reader, key, $"is not a setting. Known keys: {Keys.Analyzer}, {Keys.WordsAnalyzer}, {Keys.StopWords}, {Keys.UserDictionary}, {Keys.Synonyms}, {Keys.FieldBoosts}, {Keys.Bm25}."),
                };
            }
            return settings;
        }

        /// <summary>A name that must be one of <paramref name="known"/>; <paramref name="what"/> names the kind in the message.</summary>
        string ReadName(ref Utf8JsonReader reader, string key, IReadOnlyList<string> known, string what)
        {
            if (reader.TokenType != JsonTokenType.String) throw Error(ref reader, key, "must be a string.");
            string name = reader.GetString()!;
            if (!known.Contains(name, StringComparer.Ordinal))
                throw Error(ref reader, key, $"'{name}' is not {what}. Known: {string.Join(", ", known)}.");
            return name;
        }

        List<string> ReadWords(ref Utf8JsonReader reader, string key)
        {
            if (reader.TokenType != JsonTokenType.StartArray) throw Error(ref reader, key, "must be an array of words.");
            var words = new List<string>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                string where = $"{key}[{words.Count}]";
                if (reader.TokenType != JsonTokenType.String) throw Error(ref reader, where, "must be a string.");
                string word = reader.GetString()!;
                if (!AnalyzerCatalog.IsOneWord(word))
                    throw Error(ref reader, where, $"'{word}' is not one word: give a single word without spaces or punctuation.");
                words.Add(word);
            }
            return words;
        }

        List<IReadOnlyList<string>> ReadSynonyms(ref Utf8JsonReader reader)
        {
            if (reader.TokenType != JsonTokenType.StartArray) throw Error(ref reader, Keys.Synonyms, "must be an array of groups, such as [[\"서울\", \"한양\"]].");
            var groups = new List<IReadOnlyList<string>>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                string where = $"{Keys.Synonyms}[{groups.Count}]";
                var group = ReadWords(ref reader, where);
                if (group.Count < 2) throw Error(ref reader, where, "needs at least two words that mean the same.");
                groups.Add(group);
            }
            return groups;
        }

        IndexSettings ReadFieldBoosts(ref Utf8JsonReader reader, IndexSettings settings)
        {
            if (reader.TokenType != JsonTokenType.StartObject) throw Error(ref reader, Keys.FieldBoosts, "must be an object such as { \"text\": 1.0, \"title\": 0.5 }.");
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                string field = reader.GetString()!;
                string key = $"{Keys.FieldBoosts}.{field}";
                reader.Read();
                float boost = ReadNumber(ref reader, key, 0, MaxBoost);
                settings = field switch
                {
                    Keys.Text => settings with { TextBoost = boost },
                    Keys.Title => settings with { TitleBoost = boost },
                    Keys.Words => settings with { WordsBoost = boost },
                    _ => throw Error(ref reader, key, $"is not a field: the fields are {Keys.Text}, {Keys.Title} and {Keys.Words}."),
                };
            }
            if (settings.TextBoost == 0 && settings.TitleBoost == 0 && settings.WordsBoost == 0)
                throw Error(ref reader, Keys.FieldBoosts, "gives every field a boost of 0: nothing would be searched.");
            return settings;
        }

        IndexSettings ReadBm25(ref Utf8JsonReader reader, IndexSettings settings)
        {
            if (reader.TokenType != JsonTokenType.StartObject) throw Error(ref reader, Keys.Bm25, "must be an object such as { \"k1\": 0.2, \"b\": 1.0 }.");
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                string name = reader.GetString()!;
                string key = $"{Keys.Bm25}.{name}";
                reader.Read();
                settings = name switch
                {
                    Keys.K1 => settings with { K1 = ReadNumber(ref reader, key, ScoringSettings.MinK1, ScoringSettings.MaxK1) },
                    Keys.B => settings with { B = ReadNumber(ref reader, key, ScoringSettings.MinB, ScoringSettings.MaxB) },
                    _ => throw Error(ref reader, key, $"is not a BM25 parameter: they are {Keys.K1} and {Keys.B}."),
                };
            }
            return settings;
        }

        float ReadNumber(ref Utf8JsonReader reader, string key, float min, float max)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetSingle(out float value) || !float.IsFinite(value))
                throw Error(ref reader, key, "must be a number.");
            if (value < min || value > max)
                throw Error(ref reader, key, string.Create(CultureInfo.InvariantCulture, $"must be between {min} and {max}, not {value}."));
            return value;
        }

        /// <summary>A word in two synonym groups, or in a group and the stop words, would be ambiguous.</summary>
        void CheckSynonymsAndDictionary(IndexSettings settings)
        {
            var groupOf = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int g = 0; g < settings.Synonyms.Count; g++)
                foreach (var word in settings.Synonyms[g].Select(AnalyzerCatalog.Normalize))
                    if (!groupOf.TryAdd(word, g) && groupOf[word] != g)
                        throw new DataFormatException(source, null, null, $"{Keys.Synonyms}: '{word}' is in groups {groupOf[word]} and {g}; a word can belong to one group only.");
            var stop = settings.StopWords.Select(AnalyzerCatalog.Normalize).ToHashSet(StringComparer.Ordinal);
            foreach (var word in settings.UserDictionary.Concat(groupOf.Keys).Select(AnalyzerCatalog.Normalize).Where(stop.Contains))
                throw new DataFormatException(source, null, null, $"{Keys.StopWords}: '{word}' is also a dictionary or synonym word; it cannot be both dropped and kept.");
        }

        DataFormatException Error(ref Utf8JsonReader reader, string key, string problem) =>
            new(source, LineOf(reader.TokenStartIndex), null, $"{key} {problem}");

        long LineOf(long byteOffset) => json.AsSpan(0, (int)Math.Min(byteOffset, json.Length)).Count((byte)'\n') + 1;

        static string FirstSentence(string message)
        {
            int end = message.IndexOf(". ", StringComparison.Ordinal);
            return end < 0 ? message.TrimEnd('.') : message[..end];
        }
    }
}
