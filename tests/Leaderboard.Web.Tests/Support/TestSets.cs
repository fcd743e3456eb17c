using System.Text;
using Mrc.Contracts.V1;
using Mrc.Core.Data;
using Mrc.Leaderboard.Data;
using Microsoft.EntityFrameworkCore;

namespace Mrc.Leaderboard.Tests.Support;

/// <summary>A small Korean evaluation set (KorQuAD 1.0 JSON) and a deterministic fake pipeline for it.</summary>
public static class TestSets
{
    public static readonly SquadDataset Korean = new("KorQuAD_v1.0",
    [
        new Article("대한민국", [
            new Paragraph("대한민국의 수도는 서울특별시이다. 서울은 한강을 끼고 있으며 인구는 약 940만 명이다.", [
                new QuestionAnswers("kq-01", "대한민국의 수도는 어디인가?", [new GoldAnswer("서울특별시", 11)]),
                new QuestionAnswers("kq-02", "서울을 흐르는 강은?", [new GoldAnswer("한강", 22)]),
                new QuestionAnswers("kq-03", "서울의 인구는 약 몇 명인가?", [new GoldAnswer("940만 명", 39)]),
            ]),
            new Paragraph("한글은 1443년 세종대왕이 창제하였고 1446년에 훈민정음이라는 이름으로 반포되었다.", [
                new QuestionAnswers("kq-04", "한글을 창제한 왕은 누구인가?", [new GoldAnswer("세종대왕", 12)]),
                new QuestionAnswers("kq-05", "훈민정음이 반포된 해는?", [new GoldAnswer("1446년", 25)]),
                new QuestionAnswers("kq-06", "한글이 창제된 해는 언제인가?", [new GoldAnswer("1443년", 4)]),
            ]),
        ]),
        new Article("제주도", [
            new Paragraph("제주도는 대한민국에서 가장 큰 섬으로, 한라산이 섬 한가운데에 솟아 있다. 높이는 1,947미터이다.", [
                new QuestionAnswers("kq-07", "대한민국에서 가장 큰 섬은?", [new GoldAnswer("제주도", 0)]),
                new QuestionAnswers("kq-08", "제주도 한가운데에 있는 산은?", [new GoldAnswer("한라산", 24)]),
                new QuestionAnswers("kq-09", "한라산의 높이는?", [new GoldAnswer("1,947미터", 49), new GoldAnswer("1947미터", 49)]),
            ]),
            new Paragraph("감귤은 제주도의 대표적인 특산물로, 겨울철에 수확한다.", [
                new QuestionAnswers("kq-10", "제주도의 대표적인 특산물은?", [new GoldAnswer("감귤", 0)]),
                new QuestionAnswers("kq-11", "감귤은 언제 수확하는가?", [new GoldAnswer("겨울철", 24)]),
                new QuestionAnswers("kq-12", "감귤은 어느 지역의 특산물인가?", [new GoldAnswer("제주도", 5)]),
            ]),
        ]),
    ]);

    public static byte[] KoreanJson()
    {
        using var stream = new MemoryStream();
        SquadJson.Write(Korean, stream);
        return stream.ToArray();
    }

    public static string WriteKoreanJson(string folder)
    {
        var path = Path.Combine(folder, "korean-dev.json");
        File.WriteAllBytes(path, KoreanJson());
        return path;
    }

    /// <summary>
    /// Wires the fake pipeline for <see cref="Korean"/>: the retriever returns the gold paragraph for
    /// questions kq-01..kq-09 and an unrelated one for kq-10..kq-12 (retrieval misses); the reader
    /// answers correctly for the odd-numbered questions and with a near miss for the even ones.
    /// </summary>
    public static void Configure(FakePipeline pipeline)
    {
        var examples = Korean.Examples().ToList();
        var byQuestion = examples.ToDictionary(e => e.Question);
        pipeline.Retrieve = (query, _) =>
        {
            var example = byQuestion[query];
            int number = int.Parse(example.Id[3..], System.Globalization.CultureInfo.InvariantCulture);
            var text = number <= 9 ? example.Context! : "부산은 대한민국 제2의 도시이며 해운대 해수욕장이 유명하다.";
            return [new Passage { Id = $"p-{example.Id}", DocumentId = example.Title ?? "", Title = example.Title ?? "", Text = text, Score = 12.5f }];
        };
        pipeline.Answer = request => ExpectedAnswer(byQuestion[request.Question]);
    }

    /// <summary>
    /// Wires the fake pipeline so that two runs differ by top-k, for comparisons. Top-k 1 retrieves as
    /// <see cref="Configure"/> does (the gold paragraph for kq-01..kq-09, an unrelated one for
    /// kq-10..kq-12); top-k 2 adds the gold paragraph for every question. The reader answers "모름"
    /// without the gold paragraph; with it, the gold answer for odd-numbered questions, and for even
    /// ones only when it was given two passages (else a near miss). So top-k 1 is right on
    /// kq-01, 03, 05, 07, 09, misses kq-02, 04, 06, 08 in reading and kq-10, 11, 12 in retrieval;
    /// top-k 2 is right on all twelve.
    /// </summary>
    public static void ConfigureByTopK(FakePipeline pipeline)
    {
        var byQuestion = Korean.Examples().ToDictionary(e => e.Question);
        const string unrelated = "부산은 대한민국 제2의 도시이며 해운대 해수욕장이 유명하다.";
        pipeline.Retrieve = (query, topK) =>
        {
            var example = byQuestion[query];
            int number = Number(example);
            var first = number <= 9 || topK >= 2 ? example.Context! : unrelated;
            var passages = new List<Passage> { new() { Id = $"p-{example.Id}", DocumentId = example.Title ?? "", Title = example.Title ?? "", Text = first, Score = 12.5f } };
            if (topK >= 2) passages.Add(new Passage { Id = $"busan-{example.Id}", DocumentId = "부산", Title = "부산", Text = unrelated, Score = 3f });
            return passages;
        };
        pipeline.Answer = request =>
        {
            var example = byQuestion[request.Question];
            if (!request.Passages.Any(p => p.Text == example.Context)) return "모름";
            var gold = example.Answers[0].Text;
            return Number(example) % 2 == 1 || request.Passages.Count >= 2 ? gold : gold[..^1] + "섬";
        };
    }

    static int Number(QuestionExample example) => int.Parse(example.Id[3..], System.Globalization.CultureInfo.InvariantCulture);

    public static string ExpectedAnswer(QuestionExample example)
    {
        int number = int.Parse(example.Id[3..], System.Globalization.CultureInfo.InvariantCulture);
        var gold = example.Answers[0].Text;
        return number % 2 == 1 ? gold : gold[..^1] + "섬";
    }

    /// <summary>What the fake pipeline answers, as a predictions file.</summary>
    public static IReadOnlyDictionary<string, string> ExpectedPredictions() =>
        Korean.Examples().ToDictionary(e => e.Id, ExpectedAnswer);

    public static byte[] PredictionsJson(IEnumerable<KeyValuePair<string, string>> predictions)
    {
        var folder = Directory.CreateTempSubdirectory("predictions-");
        try
        {
            var path = Path.Combine(folder.FullName, "predictions.json");
            Mrc.Core.Data.PredictionsJson.Save(predictions, path);
            return File.ReadAllBytes(path);
        }
        finally
        {
            folder.Delete(true);
        }
    }

    /// <summary>The ids of a registered set's private questions, as stored: each set draws its own split.</summary>
    public static async Task<HashSet<string>> PrivateIdsAsync(LeaderboardHost host, string setName)
    {
        await using var db = await host.Get<IDbContextFactory<LeaderboardDbContext>>().CreateDbContextAsync();
        return [.. await db.Questions.Where(q => q.EvaluationSet!.Name == setName && q.IsPrivate).Select(q => q.QuestionId).ToListAsync()];
    }

    public static string Utf8(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
