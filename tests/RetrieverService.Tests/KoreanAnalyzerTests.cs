using System.Text.Json;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.TokenAttributes;
using Mrc.Retrieval.Analysis;
using Mrc.Retrieval.Analysis.Korean;
using Mrc.Retrieval.Settings;
using Mrc.Tests;

namespace RetrieverService.Tests;

/// <summary>
/// The Korean morphological analyzer against its reference, Nori (Java Lucene 8.7's KoreanAnalyzer
/// from Debian's liblucene8-java, run by tools/lucene-reference/NoriTokens.java), token for token
/// with offsets, and against KLUE-DP's gold morphemes.
/// </summary>
public class KoreanAnalyzerTests
{
    [Fact]
    public void Analyzer_KeepsContentMorphemes_AndDropsParticlesAndEndings()
    {
        // Nori's tokens for these sentences (NoriTokens.java): 은, 를 and 했다's ending are dropped;
        // 했 is 하 + 았 and both parts span the whole form.
        Assert.Equal(["대통령", "훈련", "하"], Tokens("대통령은 훈련을 했다"));
        Assert.Equal(
            [("임종석", 0, 3), ("여의도", 5, 8), ("농민", 9, 11), ("폭력", 12, 14), ("시위", 15, 17), ("주도", 19, 21), ("혐의", 23, 25)],
            TokensWithOffsets("임종석이 여의도 농민 폭력 시위를 주도한 혐의"));
    }

    [Fact]
    public void Analyzer_ReadsHanjaWordsAsHangul_AndLowerCases()
    {
        var tokens = Tokens("大韓民國 憲法과 iPhone");
        Assert.Contains("iphone", tokens);
        Assert.DoesNotContain(tokens, t => t.Any(c => c is >= '\u4E00' and <= '\u9FFF'));
    }

    [Fact]
    public void UserWords_StayWhole_WhereTheDictionaryWouldSplitThem()
    {
        Assert.Equal(["국립", "중앙", "박물", "관"], Tokens("국립중앙박물관에서"));
        var settings = IndexSettings.Bare(AnalyzerCatalog.KoreanMorpheme) with { UserDictionary = ["국립중앙박물관"] };
        Assert.Equal(["국립중앙박물관"], Tokens("국립중앙박물관에서", settings));
    }

    [Fact]
    public void EmptyAndPunctuationOnlyTexts_GiveNoTokens()
    {
        Assert.Empty(Tokens(""));
        Assert.Empty(Tokens("   "));
        Assert.Empty(Tokens("?!… —"));
    }

    [RequiresJavaLuceneFact]
    public async Task Analyzer_MatchesNori_TokenForToken_OnKorQuADAndKlueText()
    {
        var texts = ReferenceTexts();
        var expected = await NoriTokensAsync(texts, userDictionary: null);
        AssertSameTokens(texts, expected, IndexSettings.Bare(AnalyzerCatalog.KoreanMorpheme));
    }

    [RequiresJavaLuceneFact]
    public async Task UserDictionary_MatchesNoriWithTheSameUserDictionary()
    {
        string[] words = ["국립중앙박물관", "세종대왕", "여의도농민", "대한민국임시정부", "한국전쟁"];
        var texts = ReferenceTexts().Take(3000).Concat(
            ["국립중앙박물관에서 세종대왕을 보았다", "여의도농민폭력시위", "대한민국임시정부의 수립과 한국전쟁", "세종대왕기념관"]).ToList();
        var expected = await NoriTokensAsync(texts, words);
        AssertSameTokens(texts, expected, IndexSettings.Bare(AnalyzerCatalog.KoreanMorpheme) with { UserDictionary = words });
    }

    [RequiresJavaLuceneFact]
    public async Task AWholeDocumentWithoutSpaces_DiffersFromNoriOnlyNextToTheSegmentCuts()
    {
        // 60 paragraphs with every space and line break taken out: over 30,000 characters the
        // lattice cannot cut after a space, so it cuts every MaxSegmentLength characters.
        var paragraphs = PartAParagraphs().Skip(100).Take(60).Select(p => p.Replace(" ", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal));
        string text = string.Concat(paragraphs);
        Assert.True(text.Length > 3 * KoreanLattice.MaxSegmentLength);
        var nori = (await NoriTokensAsync([text], userDictionary: null))[0].Split('\t');
        var ours = TokensWithOffsets(text).Select(t => $"{t.Term} {t.Start} {t.End}").ToArray();

        static bool AwayFromCuts(string token)
        {
            var parts = token.Split(' ');
            int start = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), end = int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture);
            for (int cut = KoreanLattice.MaxSegmentLength; cut < end + 50; cut += KoreanLattice.MaxSegmentLength)
                if (end > cut - 50 && start < cut + 50) return false;
            return true;
        }
        Assert.Equal(nori.Where(AwayFromCuts), ours.Where(AwayFromCuts));
        Assert.InRange(ours.Length, nori.Length - 10, nori.Length + 10);
    }

    [Fact]
    public void Analysis_FindsMostOfKlueDpGoldNouns()
    {
        // KLUE-DP's gold morphemes (LEMMA and POS columns): the general and proper nouns of 2,000
        // sentences. Measured: recall .8322, precision .7346 (tag boundaries differ between KLUE's
        // guidelines and mecab-ko-dic's, e.g. NNG against NNP, and compounds).
        var lattice = new KoreanLattice(KoreanLexicon.Default);
        int found = 0, gold = 0, sentences = 0;
        foreach (var (sentence, morphemes) in KlueDpSentences())
        {
            sentences++;
            var ours = lattice.Analyze(sentence).Where(m => m.Tag is "NNG" or "NNP").Select(m => m.Surface).ToList();
            foreach (var noun in morphemes.Where(m => m.Tag is "NNG" or "NNP").Select(m => m.Surface))
            {
                gold++;
                if (ours.Remove(noun)) found++;
            }
        }
        Assert.Equal(2000, sentences);
        Assert.InRange((double)found / gold, 0.80, 1.0);
    }

    static List<string> Tokens(string text, IndexSettings? settings = null) => TokensWithOffsets(text, settings).Select(t => t.Term).ToList();

    static List<(string Term, int Start, int End)> TokensWithOffsets(string text, IndexSettings? settings = null)
    {
        using var analyzer = AnalyzerCatalog.Create(settings ?? IndexSettings.Bare(AnalyzerCatalog.KoreanMorpheme));
        using var stream = analyzer.GetTokenStream("text", text);
        var term = stream.AddAttribute<ICharTermAttribute>();
        var offset = stream.AddAttribute<IOffsetAttribute>();
        stream.Reset();
        var tokens = new List<(string, int, int)>();
        while (stream.IncrementToken()) tokens.Add((term.ToString(), offset.StartOffset, offset.EndOffset));
        stream.End();
        return tokens;
    }

    static void AssertSameTokens(List<string> texts, List<string> expected, IndexSettings settings)
    {
        Assert.Equal(texts.Count, expected.Count);
        using var analyzer = AnalyzerCatalog.Create(settings);
        int differing = 0;
        string? first = null;
        for (int i = 0; i < texts.Count; i++)
        {
            using var stream = analyzer.GetTokenStream("text", texts[i]);
            var term = stream.AddAttribute<ICharTermAttribute>();
            var offset = stream.AddAttribute<IOffsetAttribute>();
            stream.Reset();
            var tokens = new List<string>();
            while (stream.IncrementToken()) tokens.Add($"{term} {offset.StartOffset} {offset.EndOffset}");
            stream.End();
            string actual = string.Join('\t', tokens);
            if (actual == expected[i]) continue;
            differing++;
            first ??= $"text {i} '{texts[i][..Math.Min(60, texts[i].Length)]}':\n  Nori: {expected[i][..Math.Min(300, expected[i].Length)]}\n  ours: {actual[..Math.Min(300, actual.Length)]}";
        }
        Assert.True(differing == 0, $"{differing} of {texts.Count} texts differ from Nori; the first: {first}");
    }

    /// <summary>Runs NoriTokens.java over <paramref name="texts"/> (one per line; tabs and line breaks escaped as it reads them).</summary>
    static async Task<List<string>> NoriTokensAsync(List<string> texts, IReadOnlyList<string>? userDictionary)
    {
        string work = Directory.CreateTempSubdirectory("nori-tokens-").FullName;
        try
        {
            var timeout = TimeSpan.FromMinutes(3);
            string source = Path.Combine(TestData.RepositoryRoot, "tools", "lucene-reference", "NoriTokens.java");
            var javac = await ExternalProgram.RunAsync("javac", ["-cp", RequiresJavaLuceneFactAttribute.ClassPath, "-d", work, source], work, timeout);
            Assert.True(javac.Exit == 0, javac.Error);
            string textFile = Path.Combine(work, "texts.txt");
            await File.WriteAllLinesAsync(textFile, texts.Select(t => t.Replace("\t", "\\t", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)));
            List<string> arguments = ["-cp", RequiresJavaLuceneFactAttribute.ClassPath + ":" + work, "NoriTokens", textFile];
            if (userDictionary is not null)
            {
                string dictionaryFile = Path.Combine(work, "user.txt");
                await File.WriteAllLinesAsync(dictionaryFile, userDictionary);
                arguments.Add(dictionaryFile);
            }
            var java = await ExternalProgram.RunAsync("java", arguments, work, timeout);
            Assert.True(java.Exit == 0, java.Error);
            var lines = java.Out.Split('\n').ToList();
            if (lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
            return lines;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>
    /// Part a's titles, paragraphs and questions (and two texts of 40 paragraphs each, longer than a
    /// lattice segment), KLUE's DP, NER, STS and NLI sentences, and texts that reach the analyzer's edges: nothing but spaces, tabs and line breaks, scripts mixed in
    /// a word, surrogate pairs, combining marks, full-width forms, and runs of over 1,024 characters
    /// with no settled position (where the best partial path is forced).
    /// </summary>
    static List<string> ReferenceTexts()
    {
        var texts = new List<string>();
        // Two texts longer than one lattice segment, cut after white space (line breaks, spaces).
        var paragraphs = PartAParagraphs();
        texts.Add(string.Join('\n', paragraphs.Take(40)));
        texts.Add(string.Join(' ', paragraphs.Skip(40).Take(40)));
        using (var korquad = JsonDocument.Parse(File.ReadAllBytes(TestData.KorQuadPartA)))
        {
            foreach (var article in korquad.RootElement.GetProperty("data").EnumerateArray())
            {
                texts.Add(article.GetProperty("title").GetString()!);
                foreach (var paragraph in article.GetProperty("paragraphs").EnumerateArray())
                {
                    texts.Add(paragraph.GetProperty("context").GetString()!);
                    texts.AddRange(paragraph.GetProperty("qas").EnumerateArray().Select(q => q.GetProperty("question").GetString()!));
                }
            }
        }
        texts.AddRange(KlueDpSentences().Select(s => s.Sentence));
        foreach (var line in File.ReadLines(TestData.SharedData("klue", "klue-ner-v1.1_dev.tsv")))
            if (line.StartsWith("## klue-ner", StringComparison.Ordinal))
                texts.Add(System.Text.RegularExpressions.Regex.Replace(line.Split('\t', 2)[1], "<([^:<>]*):[A-Z]{2}>", "$1"));
        using (var sts = JsonDocument.Parse(File.ReadAllBytes(TestData.SharedData("klue", "klue-sts-v1.1_dev.json"))))
            foreach (var pair in sts.RootElement.EnumerateArray())
                texts.AddRange([pair.GetProperty("sentence1").GetString()!, pair.GetProperty("sentence2").GetString()!]);
        using (var nli = JsonDocument.Parse(File.ReadAllBytes(TestData.SharedData("klue", "klue-nli-v1.1_dev.json"))))
            foreach (var pair in nli.RootElement.EnumerateArray())
                texts.AddRange([pair.GetProperty("premise").GetString()!, pair.GetProperty("hypothesis").GetString()!]);
        var random = new Random(1);
        texts.AddRange(
        [
            "", "   ", " 서울 ", "서울  ", "\t서울\n부산\n", string.Concat(Enumerable.Repeat("한국어", 600)),
            new string(Enumerable.Range(0, 3000).Select(_ => (char)random.Next(0xAC00, 0xD7A4)).ToArray()),
            "大韓民國 憲法 第1條", "ＡＢＣ 123 ４５６ abc DEF", "e\u0301cole naïve", "😀 서울😀부산 🇰🇷", "ㆍ 가ㆍ나",
            "(서울)·[부산]~大邱", "iPhone15를 샀다", "1,000원과 3.5%", "…“인용”—끝", "ᄀᄁ 가각 ㄱㄴ", "서울\u00a0부산\u3000대구",
            "\u200b서울\u200d부산", "Москва 東京 とうきょう カタカナ", new string('가', 2000), string.Join(' ', Enumerable.Repeat("서울에서", 400)),
        ]);
        return texts;
    }

    static List<string> PartAParagraphs()
    {
        using var korquad = JsonDocument.Parse(File.ReadAllBytes(TestData.KorQuadPartA));
        return korquad.RootElement.GetProperty("data").EnumerateArray()
            .SelectMany(a => a.GetProperty("paragraphs").EnumerateArray().Select(p => p.GetProperty("context").GetString()!))
            .ToList();
    }

    /// <summary>KLUE-DP dev: each sentence with its gold morphemes (LEMMA split on spaces, POS on '+').</summary>
    static IEnumerable<(string Sentence, List<(string Surface, string Tag)> Morphemes)> KlueDpSentences()
    {
        string? sentence = null;
        var morphemes = new List<(string, string)>();
        foreach (var line in File.ReadLines(TestData.SharedData("klue", "klue-dp-v1.1_dev.tsv")))
        {
            if (line.StartsWith("## klue-dp", StringComparison.Ordinal))
            {
                if (sentence is not null) yield return (sentence, morphemes);
                sentence = line.Split('\t', 2)[1];
                morphemes = [];
                continue;
            }
            if (line.StartsWith("##", StringComparison.Ordinal) || line.Length == 0) continue;
            var columns = line.Split('\t');
            var surfaces = columns[2].Split(' ');
            var tags = columns[3].Split('+');
            for (int i = 0; i < Math.Min(surfaces.Length, tags.Length); i++) morphemes.Add((surfaces[i], tags[i]));
        }
        if (sentence is not null) yield return (sentence, morphemes);
    }
}
