using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Grpc.Core;
using Mrc.Contracts.V1;
using Mrc.Leaderboard.Domain;
using MissCause = Mrc.Contracts.V1.MissCause;
using Mrc.Leaderboard.Tests.Support;

namespace Mrc.Leaderboard.Tests;

/// <summary>
/// Question-by-question comparison over real gRPC and JSON, with two model runs whose answers are
/// known question by question (<see cref="TestSets.ConfigureByTopK"/>): top-k 1 misses kq-02, 04,
/// 06, 08 in reading and kq-10, 11, 12 in retrieval; top-k 2 is right everywhere. Every question is
/// public (private share 0).
/// </summary>
public sealed class ComparisonTests : IAsyncLifetime
{
    TestDatabase database = default!;
    FakePipeline pipeline = default!;
    LeaderboardHost host = default!;
    string alphaToken = "", betaToken = "";

    public async Task InitializeAsync()
    {
        database = TestDatabase.Sqlite();
        pipeline = await FakePipeline.StartAsync();
        TestSets.ConfigureByTopK(pipeline);
        host = await LeaderboardHost.StartAsync(database, pipeline.Address);
        var sets = host.Get<EvaluationSetService>();
        await sets.RegisterAsync("korean-dev", "korean-dev.json", new MemoryStream(TestSets.KoreanJson()), privateShare: 0);
        await sets.RegisterAsync("other", "korean-dev.json", new MemoryStream(TestSets.KoreanJson()), privateShare: 0);
        (_, alphaToken) = await host.Get<TeamService>().CreateAsync("알파");
        (_, betaToken) = await host.Get<TeamService>().CreateAsync("베타");
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        await pipeline.DisposeAsync();
        database.Dispose();
    }

    internal static async Task<long> RunAsync(LeaderboardHost host, string token, int topK, string set = "korean-dev")
    {
        var client = host.Client(token);
        var submitted = await client.SubmitAsync(new SubmitRequest
        {
            EvaluationSet = set,
            Description = $"top-k {topK}",
            ModelRun = new ModelRun { Model = "klue-bert-base", Version = "v1", TopK = topK },
        });
        using (var watch = client.WatchSubmission(new WatchSubmissionRequest { SubmissionId = submitted.Id }, deadline: DateTime.UtcNow.AddMinutes(1)))
            await foreach (var _ in watch.ResponseStream.ReadAllAsync()) { }
        Assert.Equal(SubmissionState.Succeeded, (await client.GetSubmissionAsync(new GetSubmissionRequest { SubmissionId = submitted.Id })).State);
        return submitted.Id;
    }

    [Fact]
    public async Task Compare_ListsTheQuestionsOnlyOneGotRight_WithTheCauseOfTheMiss()
    {
        long one = await RunAsync(host, alphaToken, topK: 1), two = await RunAsync(host, alphaToken, topK: 2);

        var comparison = await host.Client(alphaToken).CompareSubmissionsAsync(new CompareSubmissionsRequest { SubmissionA = one, SubmissionB = two });

        Assert.Equal((12, 5, 0, 0, 7), (comparison.QuestionCount, comparison.BothRight, comparison.BothWrong, comparison.OnlyARight, comparison.OnlyBRight));
        Assert.Equal(
            [("kq-02", MissCause.Reading), ("kq-04", MissCause.Reading), ("kq-06", MissCause.Reading), ("kq-08", MissCause.Reading),
             ("kq-10", MissCause.Retrieval), ("kq-11", MissCause.Retrieval), ("kq-12", MissCause.Retrieval)],
            comparison.Differences.Select(d => (d.QuestionId, d.Cause)));
        var kq11 = comparison.Differences.Single(d => d.QuestionId == "kq-11");
        Assert.Equal(("모름", "겨울철", false, true, false), (kq11.AnswerA, kq11.AnswerB, kq11.RightIsA, kq11.RetrievalHitB, kq11.RetrievalHitA));
        Assert.Equal(["겨울철"], kq11.GoldAnswers);

        // The other way round, the sides swap.
        var swapped = await host.Client(alphaToken).CompareSubmissionsAsync(new CompareSubmissionsRequest { SubmissionA = two, SubmissionB = one });
        Assert.Equal((7, 0), (swapped.OnlyARight, swapped.OnlyBRight));
        Assert.All(swapped.Differences, d => Assert.True(d.RightIsA));

        // JSON, at its route.
        using var http = new HttpClient { BaseAddress = host.HttpAddress, DefaultRequestVersion = HttpVersion.Version11 };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/submissions/{one}/compare/{two}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", alphaToken);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(7, json.RootElement.GetProperty("onlyBRight").GetInt32());
        Assert.Equal("MISS_CAUSE_READING", json.RootElement.GetProperty("differences")[0].GetProperty("cause").GetString());
    }

    [Fact]
    public async Task Compare_RefusesOtherTeamsSubmissionsAndMismatchedPairs()
    {
        long one = await RunAsync(host, alphaToken, topK: 1);
        long elsewhere = await RunAsync(host, alphaToken, topK: 1, set: "other");
        long betas = await RunAsync(host, betaToken, topK: 2);

        async Task<StatusCode> Refused(string token, long a, long b) => (await Assert.ThrowsAsync<RpcException>(async () =>
            await host.Client(token).CompareSubmissionsAsync(new CompareSubmissionsRequest { SubmissionA = a, SubmissionB = b }))).StatusCode;

        Assert.Equal(StatusCode.PermissionDenied, await Refused(alphaToken, one, betas));
        Assert.Equal(StatusCode.InvalidArgument, await Refused(alphaToken, one, one));
        Assert.Equal(StatusCode.InvalidArgument, await Refused(alphaToken, one, elsewhere));
        Assert.Equal(StatusCode.NotFound, await Refused(alphaToken, one, 999_999));
        Assert.Equal(StatusCode.Unauthenticated, await Refused("mrc_nope", one, betas));

        // The admin compares any two of one set.
        var admin = await host.Client(LeaderboardHost.AdminSecret).CompareSubmissionsAsync(new CompareSubmissionsRequest { SubmissionA = one, SubmissionB = betas });
        Assert.Equal(7, admin.OnlyBRight);
    }
}
