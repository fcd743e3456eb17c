using System.Globalization;
using System.Text.Json.Nodes;
using Mrc.Retrieval.Analysis;
using Mrc.Retrieval.Settings;

namespace Mrc.Retrieval.Elasticsearch;

/// <summary>
/// The Elasticsearch create-index request body for an index's settings (the same
/// <see cref="IndexSettings"/> a Lucene build uses), in Elasticsearch's documented index settings
/// and mapping format. A pure function: the same settings always give the same body.
/// <list type="bullet">
/// <item><c>text</c> and <c>title</c> are analysed by <c>mrc_text</c>, the settings' analyzer built from
/// Elasticsearch's own filters (standard tokenizer, <c>cjk_width</c>, <c>lowercase</c>, <c>cjk_bigram</c>),
/// with the synonyms and stop words;</item>
/// <item><c>text.words</c> (when <c>field_boosts.words</c> is above 0) by <c>mrc_words</c>: Nori, whose
/// method and dictionary the Lucene build's <c>morphemes</c> words analyzer reproduces (compounds split,
/// <c>nori_part_of_speech</c> and <c>nori_readingform</c> as Nori's KoreanAnalyzer), with the user
/// dictionary and the synonyms' words as its user dictionary rules. Elasticsearch has no
/// <c>particles</c> analyzer; an index with that words analyzer gets Nori there too;</item>
/// <item>with the <c>korean-morpheme</c> analyzer, <c>mrc_text</c> is the same Nori chain;</item>
/// <item>every searched field scores with <c>mrc_bm25</c>, BM25 with the settings' k1 and b;</item>
/// <item><c>_meta.mrc_settings</c> keeps the settings file itself, so a search reads the settings the
/// index was built with, as a Lucene generation's <c>settings.json</c>.</item>
/// </list>
/// </summary>
public static class ElasticsearchIndexBody
{
    public const string TextAnalyzer = "mrc_text";
    public const string WordsAnalyzer = "mrc_words";
    public const string Similarity = "mrc_bm25";
    public const string SettingsMetaKey = "mrc_settings";
    public const string MetadataMetaKey = "mrc_metadata";

    /// <summary>Field names of a passage document (its <c>_source</c>).</summary>
    public static class Fields
    {
        public const string Id = "id";
        public const string DocumentId = "document_id";
        public const string DocumentSha256 = "document_sha256";
        public const string Title = "title";
        public const string Text = "text";
        public const string Words = "text.words";
        public const string Start = "start_char";
        public const string End = "end_char";
    }

    const string StopFilter = "mrc_stop", SynonymFilter = "mrc_synonyms", EnglishStopFilter = "mrc_english_stop",
        UnigramBigramFilter = "mrc_unigram_bigram", WordBigramFilter = "mrc_word_bigrams", NoriTokenizer = "mrc_nori";

    /// <summary>The body of <c>PUT /{index}</c> for <paramref name="settings"/>.</summary>
    public static JsonObject Create(IndexSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!AnalyzerCatalog.IsKnown(settings.Analyzer))
            throw new ArgumentException($"Unknown analyzer '{settings.Analyzer}'. Known analyzers: {string.Join(", ", AnalyzerCatalog.Names)}.", nameof(settings));
        return new JsonObject
        {
            ["settings"] = new JsonObject
            {
                ["index"] = new JsonObject
                {
                    // One shard: BM25's document frequencies are then those of the whole corpus, as in Lucene.
                    ["number_of_shards"] = 1,
                    ["similarity"] = new JsonObject
                    {
                        [Similarity] = new JsonObject { ["type"] = "BM25", ["k1"] = Number(settings.K1), ["b"] = Number(settings.B) },
                    },
                },
                ["analysis"] = Analysis(settings),
            },
            ["mappings"] = Mappings(settings),
        };
    }

    /// <summary>The fields a query searches and their boosts, as <c>multi_match</c> takes them ("text^1"); fields with boost 0 are left out.</summary>
    public static IReadOnlyList<string> SearchFields(IndexSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var fields = new List<string>(3);
        if (settings.TextBoost > 0) fields.Add(Boosted(Fields.Text, settings.TextBoost));
        if (settings.TitleBoost > 0) fields.Add(Boosted(Fields.Title, settings.TitleBoost));
        if (settings.WordsBoost > 0) fields.Add(Boosted(Fields.Words, settings.WordsBoost));
        return fields;
    }

    static string Boosted(string field, float boost) => $"{field}^{((decimal)boost).ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// A float as the decimal it was written as: (decimal)0.2f is 0.2, where (double)0.2f would be
    /// 0.20000000298023224.
    /// </summary>
    static JsonValue Number(float value) => JsonValue.Create((decimal)value);

    static JsonObject Analysis(IndexSettings settings)
    {
        var filters = new JsonObject();
        var textChain = new JsonArray();
        // The word stage, as AnalyzerCatalog's: CJKAnalyzer's folding, or StandardAnalyzer's English stop words.
        if (settings.Analyzer == AnalyzerCatalog.Standard)
        {
            filters[EnglishStopFilter] = new JsonObject { ["type"] = "stop", ["stopwords"] = "_english_" };
            textChain.Add("lowercase");
            textChain.Add(EnglishStopFilter);
        }
        else
        {
            textChain.Add("cjk_width");
            textChain.Add("lowercase");
        }

        if (settings.Synonyms.Count > 0)
        {
            // "a, b, c => a": every member is indexed and searched as the group's first, as the Lucene build does.
            var rules = new JsonArray();
            foreach (var group in settings.Synonyms)
            {
                var words = group.Select(AnalyzerCatalog.Normalize).ToList();
                rules.Add($"{string.Join(", ", words)} => {words[0]}");
            }
            filters[SynonymFilter] = new JsonObject { ["type"] = "synonym", ["synonyms"] = rules };
            textChain.Add(SynonymFilter);
        }
        if (settings.StopWords.Count > 0)
        {
            filters[StopFilter] = new JsonObject
            {
                ["type"] = "stop",
                ["stopwords"] = new JsonArray([.. settings.StopWords.Select(w => (JsonNode)AnalyzerCatalog.Normalize(w))]),
            };
            textChain.Add(StopFilter);
        }

        switch (settings.Analyzer)
        {
            case AnalyzerCatalog.KoreanBigram:
                textChain.Add("cjk_bigram");
                break;
            case AnalyzerCatalog.KoreanUnigramBigram:
                filters[UnigramBigramFilter] = new JsonObject { ["type"] = "cjk_bigram", ["output_unigrams"] = true };
                textChain.Add(UnigramBigramFilter);
                break;
            case AnalyzerCatalog.WhitespaceBigram:
                // Each word as typed and, at the same position, its bigrams.
                filters[WordBigramFilter] = new JsonObject { ["type"] = "multiplexer", ["filters"] = new JsonArray("cjk_bigram"), ["preserve_original"] = true };
                textChain.Add(WordBigramFilter);
                break;
        }
        // Stop words again after the bigram stage, so a stop word can also be a bigram (as in the Lucene chain).
        if (settings.StopWords.Count > 0 && settings.Analyzer != AnalyzerCatalog.Standard) textChain.Add(StopFilter);

        // korean-morpheme: Nori's chain instead of the standard tokenizer's (the filters above are still defined for it).
        bool morphemeText = settings.Analyzer == AnalyzerCatalog.KoreanMorpheme;
        if (morphemeText) textChain = new JsonArray([.. MorphemeFilters(settings)]);
        var analyzers = new JsonObject
        {
            [TextAnalyzer] = new JsonObject { ["type"] = "custom", ["tokenizer"] = morphemeText ? NoriTokenizer : "standard", ["filter"] = textChain },
        };
        var analysis = new JsonObject();
        if (settings.WordsBoost > 0)
            analyzers[WordsAnalyzer] = new JsonObject { ["type"] = "custom", ["tokenizer"] = NoriTokenizer, ["filter"] = new JsonArray([.. MorphemeFilters(settings)]) };
        if (morphemeText || settings.WordsBoost > 0) analysis["tokenizer"] = new JsonObject { [NoriTokenizer] = Nori(settings) };
        if (filters.Count > 0) analysis["filter"] = filters;
        analysis["analyzer"] = analyzers;
        return analysis;
    }

    /// <summary>The filters after Nori's tokenizer: KoreanAnalyzer's, then the settings' synonyms and stop words.</summary>
    static IEnumerable<JsonNode> MorphemeFilters(IndexSettings settings)
    {
        yield return "nori_part_of_speech";
        yield return "nori_readingform";
        yield return "lowercase";
        if (settings.Synonyms.Count > 0) yield return SynonymFilter;
        if (settings.StopWords.Count > 0) yield return StopFilter;
    }

    /// <summary>
    /// Nori with the dictionary words and every synonym (kept whole, so a synonym rule can match it),
    /// each once (Nori refuses a dictionary that repeats a word); compounds split and the whole
    /// dropped ("discard", Nori's default and the Lucene build's).
    /// </summary>
    static JsonObject Nori(IndexSettings settings)
    {
        var rules = settings.UserDictionary.Concat(settings.Synonyms.SelectMany(g => g))
            .Select(AnalyzerCatalog.Normalize).Distinct(StringComparer.Ordinal)
            .Select(w => (JsonNode)w).ToArray();
        var nori = new JsonObject { ["type"] = "nori_tokenizer", ["decompound_mode"] = "discard", ["discard_punctuation"] = true };
        if (rules.Length > 0) nori["user_dictionary_rules"] = new JsonArray(rules);
        return nori;
    }

    static JsonObject Mappings(IndexSettings settings)
    {
        var text = Analyzed();
        if (settings.WordsBoost > 0)
            text["fields"] = new JsonObject { ["words"] = new JsonObject { ["type"] = "text", ["analyzer"] = WordsAnalyzer, ["similarity"] = Similarity } };
        return new JsonObject
        {
            // A document with a field not listed here is refused instead of silently mapped.
            ["dynamic"] = "strict",
            ["_meta"] = new JsonObject { [SettingsMetaKey] = JsonNode.Parse(IndexSettingsFile.ToJson(settings)) },
            ["properties"] = new JsonObject
            {
                [Fields.Id] = new JsonObject { ["type"] = "keyword" },
                [Fields.DocumentId] = new JsonObject { ["type"] = "keyword" },
                [Fields.DocumentSha256] = new JsonObject { ["type"] = "keyword", ["index"] = false },
                // Titles are searched only with a title boost; otherwise they are only returned.
                [Fields.Title] = settings.TitleBoost > 0 ? Analyzed() : new JsonObject { ["type"] = "text", ["index"] = false },
                [Fields.Text] = text,
                [Fields.Start] = new JsonObject { ["type"] = "integer", ["index"] = false },
                [Fields.End] = new JsonObject { ["type"] = "integer", ["index"] = false },
            },
        };
    }

    static JsonObject Analyzed() => new() { ["type"] = "text", ["analyzer"] = TextAnalyzer, ["similarity"] = Similarity };
}
