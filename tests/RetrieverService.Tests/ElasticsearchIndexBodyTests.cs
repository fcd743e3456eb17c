using System.Text.Json;
using Mrc.Retrieval.Elasticsearch;
using Mrc.Retrieval.Settings;
using Mrc.Tests;

namespace Mrc.Retriever.Tests;

/// <summary>
/// The Elasticsearch create-index body made from index settings. The expected bodies are written by
/// hand from Elasticsearch's documented formats (custom analyzers, the nori_tokenizer with
/// user_dictionary_rules and decompound_mode, nori_part_of_speech, nori_readingform, the stop, synonym and cjk_bigram
/// filters, a BM25 similarity with k1 and b, text fields with analyzer, similarity and sub-fields).
/// </summary>
public class ElasticsearchIndexBodyTests
{
    static string ExampleFile => Path.Combine(TestData.RepositoryRoot, "docs", "examples", "index-settings.json");

    static void AssertSameJson(string expected, JsonNodeLike actual)
    {
        using var want = JsonDocument.Parse(expected);
        using var got = JsonDocument.Parse(actual.Json);
        Assert.True(JsonElement.DeepEquals(want.RootElement, got.RootElement), $"expected:\n{expected}\nactual:\n{actual.Json}");
    }

    /// <summary>The body as text, so a failure prints it.</summary>
    readonly record struct JsonNodeLike(string Json);

    static JsonNodeLike Body(IndexSettings settings) =>
        new(ElasticsearchIndexBody.Create(settings).ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));

    [Fact]
    public void Create_FromTheDocumentedExampleSettings_GivesNoriStopSynonymsBigramsAndBm25()
    {
        const string expected = """
        {
          "settings": {
            "index": {
              "number_of_shards": 1,
              "similarity": { "mrc_bm25": { "type": "BM25", "k1": 0.2, "b": 1.0 } }
            },
            "analysis": {
              "tokenizer": {
                "mrc_nori": {
                  "type": "nori_tokenizer",
                  "decompound_mode": "discard",
                  "discard_punctuation": true,
                  "user_dictionary_rules": ["국립중앙박물관", "대한민국임시정부", "세종대왕", "서울", "한양", "경성", "미국", "아메리카합중국"]
                }
              },
              "filter": {
                "mrc_synonyms": { "type": "synonym", "synonyms": ["서울, 한양, 경성 => 서울", "미국, 아메리카합중국 => 미국"] },
                "mrc_stop": { "type": "stop", "stopwords": ["및", "또는", "the", "of"] },
                "mrc_unigram_bigram": { "type": "cjk_bigram", "output_unigrams": true }
              },
              "analyzer": {
                "mrc_text": {
                  "type": "custom",
                  "tokenizer": "standard",
                  "filter": ["cjk_width", "lowercase", "mrc_synonyms", "mrc_stop", "mrc_unigram_bigram", "mrc_stop"]
                },
                "mrc_words": {
                  "type": "custom",
                  "tokenizer": "mrc_nori",
                  "filter": ["nori_part_of_speech", "nori_readingform", "lowercase", "mrc_synonyms", "mrc_stop"]
                }
              }
            }
          },
          "mappings": {
            "dynamic": "strict",
            "_meta": {
              "mrc_settings": {
                "analyzer": "korean-unigram-bigram",
                "words_analyzer": "morphemes",
                "stop_words": ["및", "또는", "the", "of"],
                "user_dictionary": ["국립중앙박물관", "대한민국임시정부", "세종대왕"],
                "synonyms": [["서울", "한양", "경성"], ["미국", "아메리카합중국"]],
                "field_boosts": { "text": 1, "title": 0.5, "words": 3 },
                "bm25": { "k1": 0.2, "b": 1 }
              }
            },
            "properties": {
              "id": { "type": "keyword" },
              "document_id": { "type": "keyword" },
              "document_sha256": { "type": "keyword", "index": false },
              "title": { "type": "text", "analyzer": "mrc_text", "similarity": "mrc_bm25" },
              "text": {
                "type": "text",
                "analyzer": "mrc_text",
                "similarity": "mrc_bm25",
                "fields": { "words": { "type": "text", "analyzer": "mrc_words", "similarity": "mrc_bm25" } }
              },
              "start_char": { "type": "integer", "index": false },
              "end_char": { "type": "integer", "index": false }
            }
          }
        }
        """;

        AssertSameJson(expected, Body(IndexSettingsFile.Load(ExampleFile)));
    }

    [Fact]
    public void Create_FromBareKoreanBigram_GivesTheBigramChainAloneAndNoSearchedTitle()
    {
        const string expected = """
        {
          "settings": {
            "index": {
              "number_of_shards": 1,
              "similarity": { "mrc_bm25": { "type": "BM25", "k1": 0.2, "b": 1 } }
            },
            "analysis": {
              "analyzer": {
                "mrc_text": { "type": "custom", "tokenizer": "standard", "filter": ["cjk_width", "lowercase", "cjk_bigram"] }
              }
            }
          },
          "mappings": {
            "dynamic": "strict",
            "_meta": {
              "mrc_settings": {
                "analyzer": "korean-bigram",
                "words_analyzer": "morphemes",
                "stop_words": [],
                "user_dictionary": [],
                "synonyms": [],
                "field_boosts": { "text": 1, "title": 0, "words": 0 },
                "bm25": { "k1": 0.2, "b": 1 }
              }
            },
            "properties": {
              "id": { "type": "keyword" },
              "document_id": { "type": "keyword" },
              "document_sha256": { "type": "keyword", "index": false },
              "title": { "type": "text", "index": false },
              "text": { "type": "text", "analyzer": "mrc_text", "similarity": "mrc_bm25" },
              "start_char": { "type": "integer", "index": false },
              "end_char": { "type": "integer", "index": false }
            }
          }
        }
        """;

        AssertSameJson(expected, Body(IndexSettings.Bare("korean-bigram")));
    }

    [Theory]
    [InlineData("standard", """["lowercase", "mrc_english_stop", "mrc_stop"]""")]
    [InlineData("whitespace-bigram", """["cjk_width", "lowercase", "mrc_stop", "mrc_word_bigrams", "mrc_stop"]""")]
    [InlineData("korean-bigram", """["cjk_width", "lowercase", "mrc_stop", "cjk_bigram", "mrc_stop"]""")]
    public void Create_EachAnalyzer_HasItsOwnTextChain(string analyzer, string chain)
    {
        var body = ElasticsearchIndexBody.Create(IndexSettings.Bare(analyzer) with { StopWords = ["및"] });

        AssertSameJson(chain, new(body["settings"]!["analysis"]!["analyzer"]!["mrc_text"]!["filter"]!.ToJsonString()));
    }

    [Fact]
    public void Create_KoreanMorpheme_AnalysesTextWithNorisChain()
    {
        var analysis = ElasticsearchIndexBody.Create(IndexSettings.Bare("korean-morpheme") with { StopWords = ["및"] })["settings"]!["analysis"]!;

        AssertSameJson("""
            { "type": "custom", "tokenizer": "mrc_nori", "filter": ["nori_part_of_speech", "nori_readingform", "lowercase", "mrc_stop"] }
            """, new(analysis["analyzer"]!["mrc_text"]!.ToJsonString()));
        AssertSameJson("""{ "mrc_nori": { "type": "nori_tokenizer", "decompound_mode": "discard", "discard_punctuation": true } }""",
            new(analysis["tokenizer"]!.ToJsonString()));
    }

    [Fact]
    public void Create_StandardAndWhitespaceBigram_DefineTheFiltersTheirChainsName()
    {
        var standard = ElasticsearchIndexBody.Create(IndexSettings.Bare("standard"))["settings"]!["analysis"]!["filter"]!;
        var whitespace = ElasticsearchIndexBody.Create(IndexSettings.Bare("whitespace-bigram"))["settings"]!["analysis"]!["filter"]!;

        AssertSameJson("""{ "mrc_english_stop": { "type": "stop", "stopwords": "_english_" } }""", new(standard.ToJsonString()));
        AssertSameJson("""{ "mrc_word_bigrams": { "type": "multiplexer", "filters": ["cjk_bigram"], "preserve_original": true } }""", new(whitespace.ToJsonString()));
    }

    [Fact]
    public void Create_WritesTheSettingsBm25AsTheDecimalsGiven()
    {
        var body = ElasticsearchIndexBody.Create(IndexSettings.Bare("korean-bigram") with { K1 = 1.2f, B = 0.75f });

        Assert.Equal("""{"type":"BM25","k1":1.2,"b":0.75}""", body["settings"]!["index"]!["similarity"]!["mrc_bm25"]!.ToJsonString());
    }

    [Fact]
    public void SearchFields_AreTheBoostedFieldsWithTheirBoosts()
    {
        Assert.Equal(["text^1", "title^0.5", "text.words^3"], ElasticsearchIndexBody.SearchFields(IndexSettings.Default));
        Assert.Equal(["text^1"], ElasticsearchIndexBody.SearchFields(IndexSettings.Bare("korean-bigram")));
        Assert.Equal(["title^2.5", "text.words^0.25"],
            ElasticsearchIndexBody.SearchFields(IndexSettings.Default with { TextBoost = 0, TitleBoost = 2.5f, WordsBoost = 0.25f }));
    }

    [Theory]
    [InlineData("wiki", null)]
    [InlineData("korquad-dev.v2", null)]
    [InlineData("Wiki", "lower-case")]
    [InlineData("_wiki", "cannot start")]
    [InlineData("wiki index", "lower-case")]
    [InlineData("", "1 to 200")]
    public void AliasProblem_FollowsElasticsearchIndexNames(string alias, string? problem)
    {
        var found = ElasticsearchIndexBuilder.AliasProblem(alias);

        if (problem is null) Assert.Null(found);
        else Assert.Contains(problem, found, StringComparison.Ordinal);
    }
}
