using Mrc.Core.Data;
using Mrc.Retrieval.Analysis;
using Mrc.Retrieval.Indexing;
using Mrc.Retrieval.Lifecycle;
using Mrc.Retrieval.Search;
using Mrc.Retrieval.Settings;
using Mrc.Retriever.Tests.Support;
using Mrc.Tests;

namespace Mrc.Retriever.Tests;

/// <summary>The settings file: what it accepts, how it refuses, and what each setting does to tokens and scores.</summary>
public class IndexSettingsTests
{
    /// <summary>korean-bigram alone, so each test sees only the setting it is about.</summary>
    static readonly IndexSettings Bigrams = IndexSettings.Bare(AnalyzerCatalog.KoreanBigram);

    static string ExampleFile => Path.Combine(TestData.RepositoryRoot, "docs", "examples", "index-settings.json");

    [Fact]
    public void Load_TheDocumentedExample_ReadsEveryKey()
    {
        var settings = IndexSettingsFile.Load(ExampleFile);

        Assert.Equal(AnalyzerCatalog.KoreanUnigramBigram, settings.Analyzer);
        Assert.Equal(["및", "또는", "the", "of"], settings.StopWords);
        Assert.Contains("국립중앙박물관", settings.UserDictionary);
        Assert.Equal(["서울", "한양", "경성"], settings.Synonyms[0]);
        Assert.Equal(WordsAnalysis.Morphemes, settings.WordsAnalyzer);
        Assert.Equal((1.0f, 0.5f, 3.0f, 0.2f, 1.0f), (settings.TextBoost, settings.TitleBoost, settings.WordsBoost, settings.K1, settings.B));
    }

    [Fact]
    public void ToJson_ThenParse_GivesTheSameSettings()
    {
        var settings = IndexSettingsFile.Load(ExampleFile);
        var again = IndexSettingsFile.Parse(IndexSettingsFile.ToJson(settings), "again.json");
        Assert.Empty(settings.DifferingKeys(again));
    }

    [Fact]
    public void Parse_AnEmptyObject_GivesTheDefaults()
    {
        var settings = IndexSettingsFile.Parse("{}", "empty.json");
        Assert.Empty(settings.DifferingKeys(IndexSettings.Default));
        Assert.Equal(ScoringSettings.Tuned, settings.Scoring);
    }

    [Theory]
    [InlineData("{\n  \"analyzer\": \"korean-bigram\",\n  \"stopwords\": [\"및\"]\n}", 3, "stopwords is not a setting")]
    [InlineData("{\n  \"bm25\": {\n    \"k1\": 5\n  }\n}", 3, "bm25.k1 must be between 0 and 3, not 5")]
    [InlineData("{\n  \"analyzer\": \"nori\"\n}", 2, "analyzer 'nori' is not an analyzer")]
    [InlineData("{\n  \"words_analyzer\": \"nori\"\n}", 2, "words_analyzer 'nori' is not a words analyzer. Known: morphemes, particles")]
    [InlineData("{\n  \"user_dictionary\": [\"국립중앙박물관\",\n    \"대한 민국\"]\n}", 3, "user_dictionary[1] '대한 민국' is not one word")]
    [InlineData("{\n  \"synonyms\": [[\"서울\"]]\n}", 2, "synonyms[0] needs at least two words")]
    [InlineData("{\n  \"field_boosts\": { \"text\": 0, \"title\": 0, \"words\": 0 }\n}", 2, "field_boosts gives every field a boost of 0")]
    [InlineData("{\n  \"field_boosts\": { \"body\": 1 }\n}", 2, "field_boosts.body is not a field")]
    [InlineData("{\n  \"analyzer\": \"standard\",\n  \"analyzer\": \"standard\"\n}", 3, "analyzer appears twice")]
    [InlineData("{\n  \"stop_words\": [\"및\",\n  \"bm25\": {}\n}", 3, "not valid JSON")]
    [InlineData("{\n  \"stop_words\": \"및\"\n}", 2, "stop_words must be an array of words")]
    public void Parse_AMistake_NamesTheLineAndTheKey(string json, int line, string problem)
    {
        var error = Assert.Throws<DataFormatException>(() => IndexSettingsFile.Parse(json, "settings.json"));
        Assert.Equal(line, error.Line);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.StartsWith($"settings.json:{line}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AWordInTwoSynonymGroups_IsRefused()
    {
        var error = Assert.Throws<DataFormatException>(() => IndexSettingsFile.Parse("""{ "synonyms": [["서울", "한양"], ["한양", "경성"]] }""", "s.json"));
        Assert.Contains("'한양' is in groups 0 and 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StopWord_IsDroppedAsAWordAndAsABigram()
    {
        using var analyzer = AnalyzerCatalog.Create(Bigrams with { StopWords = ["및", "에서"] });
        // Hand-checked: 서울에서 → 서울 울에 에서, minus 에서; 및 is dropped as a word.
        Assert.Equal(["서울", "울에", "부산"], QueryBuilder.Tokens(analyzer, "서울에서 및 부산"));
    }

    [Fact]
    public void StopWord_IsNotSearchable()
    {
        using var temp = new TempDirectory();
        var settings = Bigrams with { StopWords = ["및"] };
        using var host = BuildIndex(temp, settings, ("a", "", "사과 및 포도"), ("b", "", "배 및 감"));
        var searcher = new PassageSearcher(host);

        Assert.Throws<QueryHasNoTermsException>(() => searcher.Search("및", 5));
        Assert.Equal(["a"], searcher.Search("사과 및", 5).Hits.Select(h => h.Passage.DocumentId));
    }

    [Theory]
    [InlineData(AnalyzerCatalog.KoreanBigram, new[] { "국립중앙박물관", "에서", "유물" })]
    [InlineData(AnalyzerCatalog.WhitespaceBigram, new[] { "국립중앙박물관", "에서", "유물" })]
    [InlineData(AnalyzerCatalog.Standard, new[] { "국립중앙박물관", "에서", "유물" })]
    public void UserDictionaryWord_IsOneToken_EvenWithAParticleGluedOn(string analyzerName, string[] expected)
    {
        using var analyzer = AnalyzerCatalog.Create(IndexSettings.Bare(analyzerName) with { UserDictionary = ["국립중앙박물관"] });
        Assert.Equal(expected, QueryBuilder.Tokens(analyzer, "국립중앙박물관에서 유물"));
    }

    [Fact]
    public void UserDictionaryWord_InTheMiddleOfAWord_LeavesTheRestBigrammed()
    {
        using var analyzer = AnalyzerCatalog.Create(Bigrams with { UserDictionary = ["중앙"] });
        // 국립 | 중앙 | 박물관: the plain pieces are bigrammed on their own (박물 물관), no bigram crosses the entry.
        Assert.Equal(["국립", "중앙", "박물", "물관"], QueryBuilder.Tokens(analyzer, "국립중앙박물관"));
    }

    [Fact]
    public void WithoutWordLists_TokensAreThoseOfTheAnalyzerAlone()
    {
        using var analyzer = AnalyzerCatalog.Create(Bigrams);
        Assert.Equal(["국립", "립중", "중앙", "앙박", "박물", "물관"], QueryBuilder.Tokens(analyzer, "국립중앙박물관"));
    }

    [Fact]
    public void TheDefaultAnalyzer_GivesEveryCharacterAndEveryBigram()
    {
        using var analyzer = AnalyzerCatalog.Create(AnalyzerCatalog.KoreanUnigramBigram);
        Assert.Equal(["대", "대한", "한", "한민", "민", "민국", "국", "seoul"], QueryBuilder.Tokens(analyzer, "대한민국 Seoul"));
    }

    [Fact]
    public void WordsField_ByDefault_HoldsTheContentMorphemes()
    {
        using var analyzer = AnalyzerCatalog.Create(Bigrams with { WordsBoost = 1f });
        // Nori's tokens for the same text (NoriTokens.java): particles dropped, and of 훈련했다 only the
        // noun is left (the verb suffix 하 and the endings are stop tags).
        Assert.Equal(["대통령", "서울", "훈련"], QueryBuilder.Tokens(analyzer, "대통령은 서울에서 훈련했다", PassageFields.Words));
    }

    [Fact]
    public void WordsField_WithParticles_HoldsWholeWordsWithTheirParticlesTakenOff()
    {
        using var analyzer = AnalyzerCatalog.Create(Bigrams with { WordsBoost = 1f, WordsAnalyzer = WordsAnalysis.Particles });
        // Hand-checked: 에서, 은, 의 and 으로 are particles; 대통령 and 서울 keep what is left.
        Assert.Equal(["서울", "대통령", "한국", "부산"], QueryBuilder.Tokens(analyzer, "서울에서 대통령은 한국의 부산으로", PassageFields.Words));
        Assert.Equal(["서울", "울에", "에서"], QueryBuilder.Tokens(analyzer, "서울에서"));
    }

    [Fact]
    public void WordsField_FindsAWordWhateverParticleEachSideGluedOn()
    {
        using var temp = new TempDirectory();
        using var host = BuildIndex(temp, IndexSettings.Bare(AnalyzerCatalog.Standard) with { WordsBoost = 1f },
            ("a", "", "세종대왕은 훈민정음을 만들었다"), ("b", "", "이순신은 거북선을 만들었다"));

        // Whole words with particles never match ("훈민정음은" ≠ "훈민정음을"); without them they do.
        var hit = Assert.Single(new PassageSearcher(host).Search("훈민정음은", 5).Hits);
        Assert.Equal("a", hit.Passage.DocumentId);
    }

    [Fact]
    public void QuestionWords_AreNotSearchedByDefault()
    {
        using var analyzer = AnalyzerCatalog.Create(IndexSettings.Default);
        Assert.DoesNotContain("무엇", QueryBuilder.Tokens(analyzer, "수도는 무엇인가?"));
        Assert.DoesNotContain("인가", QueryBuilder.Tokens(analyzer, "수도는 무엇인가?"));
        Assert.Contains("수도", QueryBuilder.Tokens(analyzer, "수도는 무엇인가?"));
    }

    [Fact]
    public void Synonym_MatchesAPassageThatUsesTheOtherWord()
    {
        using var temp = new TempDirectory();
        var settings = Bigrams with { Synonyms = [["서울", "한양"]] };
        using var host = BuildIndex(temp, settings, ("a", "", "조선은 한양에 도읍을 정하였다"), ("b", "", "부산은 항구 도시이다"));
        var searcher = new PassageSearcher(host);

        Assert.Equal(["a"], searcher.Search("서울", 5).Hits.Select(h => h.Passage.DocumentId));
        using var analyzer = AnalyzerCatalog.Create(settings);
        Assert.Equal(["서울", "에"], QueryBuilder.Tokens(analyzer, "한양에"));
    }

    // Lucene's BM25 as documented for 4.8 (BM25Similarity): idf = ln(1 + (N - n + 0.5) / (n + 0.5)),
    // score = idf · tf · (k1 + 1) / (tf + k1 · (1 - b + b · dl / avgdl)), avgdl = total tokens / N.
    static double Bm25(double k1, double b, double tf, double dl, double avgdl, double n, double docs) =>
        Math.Log(1 + (docs - n + 0.5) / (n + 0.5)) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl));

    [Theory]
    [InlineData(1.2f, 0.75f)]
    [InlineData(0.2f, 1.0f)]
    [InlineData(2.0f, 0.0f)]
    public void K1AndB_FromTheSettings_ScoreAsBm25Says(float k1, float b)
    {
        // Each two-letter Hangul word is one bigram token. Lengths 4 and 16 are stored exactly by
        // Lucene 4.8's one-byte norm (1/√4 and 1/√16 are powers of two), so the formula holds exactly.
        using var temp = new TempDirectory();
        string sixteen = "사과 " + string.Join(' ', "가나 다라 마바 사아 자차 카타 파하 고노 도로 모보 소오 조초 코토 포호 구누".Split(' '));
        using var host = BuildIndex(temp, Bigrams with { K1 = k1, B = b },
            ("short", "", "사과 사과 포도 포도"), ("long", "", sixteen), ("other", "", "포도 포도 포도 포도"));

        var hits = new PassageSearcher(host).Search("사과", 5).Hits.ToDictionary(h => h.Passage.DocumentId, h => (double)h.Score);

        double avgdl = (4 + 16 + 4) / 3.0;
        Assert.Equal(2, hits.Count);
        Assert.Equal(Bm25(k1, b, tf: 2, dl: 4, avgdl, n: 2, docs: 3), hits["short"], 5);
        Assert.Equal(Bm25(k1, b, tf: 1, dl: 16, avgdl, n: 2, docs: 3), hits["long"], 5);
    }

    [Fact]
    public void TitleBoost_SearchesTitlesWithTheirWeight()
    {
        using var temp = new TempDirectory();
        (string, string, string)[] documents = [("a", "세종대왕", "한글을 만들었다"), ("b", "이순신", "거북선을 만들었다")];
        using var textOnly = BuildIndex(temp, Bigrams, documents);
        Assert.Empty(new PassageSearcher(textOnly).Search("세종", 5).Hits);

        using var temp2 = new TempDirectory();
        using var titled = BuildIndex(temp2, Bigrams with { TitleBoost = 2f }, documents);
        using var temp3 = new TempDirectory();
        using var titledOnce = BuildIndex(temp3, Bigrams with { TitleBoost = 1f }, documents);
        var boosted = Assert.Single(new PassageSearcher(titled).Search("세종", 5).Hits);
        var plain = Assert.Single(new PassageSearcher(titledOnce).Search("세종", 5).Hits);

        Assert.Equal("a", boosted.Passage.DocumentId);
        // A boost multiplies BM25's weight of every clause on that field.
        Assert.Equal(2 * plain.Score, boosted.Score, 5);
    }

    [Fact]
    public void Build_StoresTheSettingsInTheGeneration_AndSearchReadsThemBack()
    {
        using var temp = new TempDirectory();
        var settings = IndexSettingsFile.Load(ExampleFile);
        using var host = BuildIndex(temp, settings, ("a", "박물관", "국립중앙박물관에서 유물을 보았다"));

        using var lease = host.Acquire();
        Assert.True(File.Exists(Path.Combine(lease.Index.Path, IndexSettingsFile.FileName)));
        Assert.Empty(host.Settings.DifferingKeys(settings));
        Assert.Equal(settings.Scoring, lease.Index.Scoring);
    }

    [Fact]
    public void AGenerationWithoutSettings_IsReadWithItsMetadatasAnalyzerAndTheDefaults()
    {
        using var temp = new TempDirectory();
        PartA.BuildIndex(temp.Path, temp.Combine("index"), 0, 1, new IndexBuildOptions { Settings = IndexSettings.Bare(AnalyzerCatalog.Standard), ChunkSize = 0 });
        var generation = IndexLayout.ReadCurrent(temp.Combine("index"))!.Value.Path;
        File.Delete(Path.Combine(generation, IndexSettingsFile.FileName));

        using var host = IndexHost.Open(temp.Combine("index"));
        Assert.Empty(host.Settings.DifferingKeys(IndexSettings.Bare(AnalyzerCatalog.Standard)));
    }

    [Fact]
    public void StoredSettingsWithoutAWordsAnalyzer_AreReadAsParticles()
    {
        // Every settings.json this build writes names its words analyzer; one written before the key
        // existed had particle stripping, whatever the default is now.
        Assert.Equal(WordsAnalysis.Morphemes, IndexSettingsFile.Parse("{}", "new.json").WordsAnalyzer);
        Assert.Equal(WordsAnalysis.Particles, IndexSettingsFile.ParseStored("{}", "old.json").WordsAnalyzer);

        using var temp = new TempDirectory();
        using (BuildIndex(temp, Bigrams with { WordsBoost = 1f, WordsAnalyzer = WordsAnalysis.Particles }, ("a", "", "서울에서 훈련했다"))) { }
        var generation = IndexLayout.ReadCurrent(temp.Combine("index"))!.Value.Path;
        string file = Path.Combine(generation, IndexSettingsFile.FileName);
        var lines = File.ReadAllLines(file).Where(l => !l.Contains(IndexSettingsFile.Keys.WordsAnalyzer, StringComparison.Ordinal));
        File.WriteAllLines(file, lines);

        using var host = IndexHost.Open(temp.Combine("index"));
        Assert.Equal(WordsAnalysis.Particles, host.Settings.WordsAnalyzer);
        Assert.Equal("a", Assert.Single(new PassageSearcher(host).Search("서울은", 5).Hits).Passage.DocumentId);
    }

    static IndexHost BuildIndex(TempDirectory temp, IndexSettings settings, params (string Id, string Title, string Text)[] documents)
    {
        var corpus = CorpusIngest.FromDocuments("test", "0", documents.Select(d => new CorpusDocument(d.Id, d.Title, d.Text)));
        string index = temp.Combine("index");
        IndexBuilder.Build(corpus, index, new IndexBuildOptions { Settings = settings, ChunkSize = 0 });
        return IndexHost.Open(index);
    }
}
