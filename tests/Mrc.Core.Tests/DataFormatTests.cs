using System.Text;
using Mrc.Core.Data;

namespace Mrc.Core.Tests;

public class DataFormatTests : IDisposable
{
    readonly string directory = Directory.CreateTempSubdirectory("mrc-core-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    string Write(string name, string content)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, content, new UTF8Encoding(false));
        return path;
    }

    [Fact]
    public void SquadJson_ReadsKorQuadPartA_WithEveryArticleAndQuestion()
    {
        var dataset = SquadJson.Load(Mrc.Tests.TestData.KorQuadPartA);

        Assert.Equal("KorQuAD_v1.0_dev", dataset.Version);
        Assert.Equal(120, dataset.Articles.Count);
        Assert.Equal(862, dataset.Articles.Sum(a => a.Paragraphs.Count));
        Assert.Equal(5110, dataset.QuestionCount);
        Assert.Equal(5110, dataset.Examples().Select(e => e.Id).Distinct().Count());
        // Every gold answer sits where answer_start says it does.
        foreach (var example in dataset.Examples())
            foreach (var answer in example.Answers)
                Assert.Equal(answer.Text, example.Context!.Substring(answer.AnswerStart, answer.Text.Length));
    }

    [Fact]
    public void SquadJson_WriteThenRead_RoundTripsKoreanText()
    {
        var dataset = new SquadDataset("KorQuAD_v1.0",
        [
            new Article("대한민국", [new Paragraph("대한민국의 수도는 서울이다.", [
                new QuestionAnswers("q-1", "대한민국의 수도는?", [new GoldAnswer("서울", 10)]),
            ])]),
        ]);
        var path = Path.Combine(directory, "roundtrip.json");

        SquadJson.Save(dataset, path);
        var read = SquadJson.Load(path);

        Assert.Contains("대한민국의 수도는?", File.ReadAllText(path)); // not \uXXXX-escaped
        Assert.Equal(dataset.Examples(), read.Examples(), ExampleComparer.Instance);
    }

    [Fact]
    public void SquadJson_WithSyntaxError_NamesFileLineAndColumn()
    {
        var path = Write("broken.json", "{\"version\": \"x\",\n  \"data\": [ {\"title\": \"t\",, } ]\n}");

        var error = Assert.Throws<DataFormatException>(() => SquadJson.Load(path));

        Assert.Equal(path, error.File);
        Assert.Equal(2, error.Line);
        Assert.NotNull(error.Column);
        Assert.StartsWith($"{path}:2:", error.Message);
        Assert.Contains("invalid JSON", error.Message);
    }

    [Fact]
    public void SquadJson_WithMissingMember_NamesThePathAndWhatWasExpected()
    {
        var path = Write("missing.json",
            "{\"version\": \"KorQuAD_v1.0\", \"data\": [{\"title\": \"t\", \"paragraphs\": [{\"context\": \"c\", \"qas\": [{\"id\": \"1\", \"answers\": []}]}]}]}");

        var error = Assert.Throws<DataFormatException>(() => SquadJson.Load(path));

        Assert.Contains("$.data[0].paragraphs[0].qas[0]", error.Message);
        Assert.Contains("missing required member \"question\"", error.Message);
    }

    [Fact]
    public void SquadJson_WithWrongType_SaysWhatWasFound()
    {
        var path = Write("wrongtype.json", "{\"version\": \"v\", \"data\": {\"title\": \"t\"}}");

        var error = Assert.Throws<DataFormatException>(() => SquadJson.Load(path));

        Assert.Contains("at $.data: expected an array, found an object", error.Message);
    }

    [Fact]
    public void QuestionJsonl_ReadsObjectAndStringAnswers_AndSkipsBlankLines()
    {
        var path = Write("questions.jsonl",
            "{\"id\": \"a\", \"question\": \"수도는?\", \"answers\": [{\"text\": \"서울\", \"answer_start\": 3}], \"context\": \"수도는 서울\"}\n\n" +
            "{\"id\": 7, \"question\": \"강은?\", \"answers\": [\"한강\", \"한강 유역\"], \"title\": \"서울\"}\n");

        var examples = QuestionJsonl.Load(path);

        Assert.Equal(2, examples.Count);
        Assert.Equal(new GoldAnswer("서울", 3), examples[0].Answers[0]);
        Assert.Equal("수도는 서울", examples[0].Context);
        Assert.Equal("7", examples[1].Id);
        Assert.Equal(["한강", "한강 유역"], examples[1].Answers.Select(a => a.Text));
        Assert.Equal(-1, examples[1].Answers[0].AnswerStart);
        Assert.Equal("서울", examples[1].Title);
    }

    [Fact]
    public void QuestionJsonl_WithBadLine_NamesThatLine()
    {
        var path = Write("bad.jsonl", "{\"id\": \"a\", \"question\": \"q\"}\n{\"id\": \"b\"}\n");

        var error = Assert.Throws<DataFormatException>(() => QuestionJsonl.Load(path));

        Assert.Equal(2, error.Line);
        Assert.Contains("missing required member \"question\"", error.Message);
    }

    [Fact]
    public void QuestionJsonl_SaveThenLoad_RoundTrips()
    {
        var examples = new[]
        {
            new QuestionExample("1", "질문?", [new GoldAnswer("답", 0)], "답이다", "제목"),
            new QuestionExample("2", "두번째?", [new GoldAnswer("둘", -1)]),
        };
        var path = Path.Combine(directory, "out.jsonl");

        QuestionJsonl.Save(examples, path);

        Assert.Equal(examples, QuestionJsonl.Load(path), ExampleComparer.Instance);
    }

    [Fact]
    public void CorpusReader_ReadsWikipediaDocumentsJson()
    {
        var path = Write("wikipedia_documents.json",
            "{\"0\": {\"text\": \"본문 하나\", \"title\": \"제목1\", \"document_id\": 0, \"corpus_source\": \"위키피디아\"}," +
            " \"1\": {\"text\": \"본문 둘\", \"title\": \"제목2\", \"document_id\": 1}}");

        var documents = CorpusReader.Load(path);

        Assert.Equal([new CorpusDocument("0", "제목1", "본문 하나"), new CorpusDocument("1", "제목2", "본문 둘")], documents);
    }

    [Fact]
    public void CorpusReader_ReadsJsonlCorpus()
    {
        var path = Write("corpus.jsonl", "{\"id\": \"d1\", \"title\": \"가\", \"text\": \"나\"}\n{\"id\": \"d2\", \"text\": \"다\"}\n");

        Assert.Equal([new CorpusDocument("d1", "가", "나"), new CorpusDocument("d2", "", "다")], CorpusReader.Load(path));
    }

    [Fact]
    public void CorpusReader_ReadsEveryDistinctKorQuadContextOnce()
    {
        var documents = CorpusReader.Load(Mrc.Tests.TestData.KorQuadPartA);

        var dataset = SquadJson.Load(Mrc.Tests.TestData.KorQuadPartA);
        int distinct = dataset.Articles.SelectMany(a => a.Paragraphs).Select(p => p.Context).Distinct().Count();
        Assert.Equal(distinct, documents.Count);
        Assert.Equal(dataset.Articles[0].Title, documents[0].Title);
    }

    [Fact]
    public void PredictionsJson_WithNonStringAnswer_FailsWithPath()
    {
        var path = Write("preds.json", "{\"a\": \"서울\", \"b\": 3}");

        var error = Assert.Throws<DataFormatException>(() => PredictionsJson.Load(path));

        Assert.Contains("at $[\"b\"]: expected a string, found the number 3", error.Message);
    }

    sealed class ExampleComparer : IEqualityComparer<QuestionExample>
    {
        public static readonly ExampleComparer Instance = new();

        public bool Equals(QuestionExample? x, QuestionExample? y) =>
            x is not null && y is not null && x.Id == y.Id && x.Question == y.Question
            && x.Context == y.Context && x.Title == y.Title && x.Answers.SequenceEqual(y.Answers);

        public int GetHashCode(QuestionExample obj) => obj.Id.GetHashCode(StringComparison.Ordinal);
    }
}
