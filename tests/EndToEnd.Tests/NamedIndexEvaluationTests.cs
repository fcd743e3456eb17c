using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Mrc.Contracts.V1;
using Mrc.Core.Data;
using Mrc.EndToEnd.Tests.Support;
using Mrc.Retrieval.Indexing;

namespace Mrc.EndToEnd.Tests;

/// <summary>
/// An evaluation set that names a retriever index is read against that index: a RetrieverService
/// process serving two indexes over different hand-made corpora, the leaderboard as its own process,
/// and a model run whose per-question retrieval hits can only come from the second index.
/// </summary>
[Collection(SharedServices.Name)]
public sealed class NamedIndexEvaluationTests(RunningServices services)
{
    const string AdminSecret = "named-index-admin-secret";
    const string TeamToken = "named-index-team-token";

    // The default index: Korean history and geography.
    const string Hunminjeongeum = "훈민정음은 1443년 세종대왕이 창제한 문자로, 1446년에 반포되었다.";
    const string Seoul = "서울특별시는 대한민국의 수도이며 한강이 도시를 가로질러 흐른다.";

    // The index named "second": three other subjects, none of the default index's passages.
    const string Hallasan = "한라산은 제주도 한가운데에 솟은 화산으로 높이는 1,947미터이다.";
    const string Kimchi = "김치는 배추와 무를 소금에 절여 고춧가루와 젓갈로 버무린 발효 음식이다.";
    const string Geobukseon = "거북선은 임진왜란 때 이순신 장군이 왜군과 싸우며 쓴 철갑 군함이다.";

    [Fact]
    public async Task ASetNamingTheSecondIndex_IsReadAgainstIt_AndAnUnknownIndexIsRefusedWithTheServedNames()
    {
        string folder = Path.Combine(services.Folder, "named-index");
        Directory.CreateDirectory(folder);
        string defaultIndex = Path.Combine(folder, "default-index"), secondIndex = Path.Combine(folder, "second-index");
        IndexBuilder.Build(Corpus("default", ("훈민정음", Hunminjeongeum), ("서울", Seoul)), defaultIndex, new IndexBuildOptions());
        IndexBuilder.Build(Corpus("second", ("한라산", Hallasan), ("김치", Kimchi), ("거북선", Geobukseon)), secondIndex, new IndexBuildOptions());

        // Each question's gold paragraph is one passage; the last one's lies only in the default index.
        var set = new SquadDataset("KorQuAD_v1.0",
        [
            Article("한라산", Hallasan, "nq-1", "제주도 한가운데에 솟은 화산의 높이는?", "1,947미터"),
            Article("김치", Kimchi, "nq-2", "배추와 무를 소금에 절여 버무린 발효 음식은?", "김치"),
            Article("거북선", Geobukseon, "nq-3", "임진왜란 때 이순신 장군이 쓴 철갑 군함은?", "거북선"),
            Article("훈민정음", Hunminjeongeum, "nq-4", "훈민정음을 창제한 왕은?", "세종대왕"),
        ]);
        using var setJson = new MemoryStream();
        SquadJson.Write(set, setJson);

        var timeout = TimeSpan.FromMinutes(2);
        await using var retriever = await ServiceProcess.StartAsync("RetrieverService", new Dictionary<string, string>
        {
            ["Retriever:IndexPath"] = defaultIndex,
            ["Retriever:Indexes:second"] = secondIndex,
        }, timeout);
        await using var leaderboard = await ServiceProcess.StartAsync("Leaderboard.Web", new Dictionary<string, string>
        {
            ["Leaderboard:AdminSecret"] = AdminSecret,
            ["ConnectionStrings:Leaderboard"] = $"Data Source={Path.Combine(folder, "leaderboard.db")}",
            ["Evaluation:RetrieverAddress"] = retriever.GrpcAddress.ToString(),
            ["Evaluation:ReaderAddress"] = services.Reader.GrpcAddress.ToString(),
            ["Demo:TeamName"] = "named-index",
            ["Demo:TeamToken"] = TeamToken,
        }, timeout);
        using var channel = GrpcChannel.ForAddress(leaderboard.GrpcAddress);
        var admin = new LeaderboardAdmin.LeaderboardAdminClient(channel);
        var asAdmin = new Metadata { { "authorization", $"Bearer {AdminSecret}" } };
        CreateEvaluationSetRequest NewSet(string index) => new()
        {
            Name = "named-index", FileName = "named-index.json", Content = ByteString.CopyFrom(setJson.ToArray()), RetrieverIndex = index,
        };

        var refused = await Assert.ThrowsAsync<RpcException>(async () => await admin.CreateEvaluationSetAsync(NewSet("third"), asAdmin));
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Equal("The retriever has no index named \"third\". It serves: default, second.", refused.Status.Detail);

        var registered = await admin.CreateEvaluationSetAsync(NewSet("second"), asAdmin);
        Assert.Equal("second", registered.RetrieverIndex);

        var client = new Mrc.Contracts.V1.Leaderboard.LeaderboardClient(channel);
        var submitted = await client.SubmitAsync(new SubmitRequest
        {
            EvaluationSet = "named-index",
            ModelRun = new ModelRun { Model = RunningServices.ModelName, TopK = 1 },
        }, new Metadata { { "authorization", $"Bearer {TeamToken}" } });
        var run = submitted;
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (run.State is SubmissionState.Queued or SubmissionState.Running && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
            run = await client.GetSubmissionAsync(new GetSubmissionRequest { SubmissionId = submitted.Id }, asAdmin);
        }

        Assert.True(run.State == SubmissionState.Succeeded, $"{run.State}: {run.Error}\n{leaderboard.Log}\n{retriever.Log}");
        // Top-1 from "second": nq-1..nq-3 find their own paragraph there; nq-4's paragraph is only in
        // the default index. Read against the default index it would be the other way round (1 of 4).
        var rows = await client.ListPredictionsAsync(new ListPredictionsRequest { SubmissionId = submitted.Id }, asAdmin);
        Assert.Equal(
            [("nq-1", true), ("nq-2", true), ("nq-3", true), ("nq-4", false)],
            rows.Rows.Select(r => (r.QuestionId, r.HasRetrievalHit && r.RetrievalHit)).OrderBy(r => r.QuestionId));
        Assert.Equal(0.75, run.RetrievalRecall, 10);
    }

    static IngestedCorpus Corpus(string name, params (string Title, string Text)[] passages) =>
        CorpusIngest.FromDocuments(name, name, passages.Select((p, i) => new CorpusDocument($"{name}-{i}", p.Title, p.Text)));

    static Article Article(string title, string context, string id, string question, string answer) =>
        new(title, [new Paragraph(context, [new QuestionAnswers(id, question, [new GoldAnswer(answer, context.IndexOf(answer, StringComparison.Ordinal))])])]);
}
