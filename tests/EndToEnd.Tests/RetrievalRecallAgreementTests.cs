using System.Globalization;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using Mrc.Cli;
using Mrc.Contracts.V1;
using Mrc.Core.Data;
using Mrc.EndToEnd.Tests.Support;
using Mrc.Tests;

namespace Mrc.EndToEnd.Tests;

/// <summary>
/// `mrc retrieval eval` (in-process over the index) and the leaderboard (a model run over gRPC through
/// RetrieverService) judge retrieval by the one rule, so for the same set, index and k they report the
/// same recall.
/// </summary>
[Collection(SharedServices.Name)]
public sealed class RetrievalRecallAgreementTests(RunningServices services)
{
    const int TopK = 3;
    const string TeamToken = "recall-agreement-team-token";
    const string AdminSecret = "recall-agreement-admin-secret";

    [Fact]
    public async Task MrcRetrievalEval_AndTheLeaderboard_ReportTheSameRecall()
    {
        // Questions whose paragraphs the index cut into several passages, and some that it kept whole.
        var partA = SquadJson.Load(TestData.KorQuadPartA);
        var articles = partA.Articles
            .Select(a => a with { Paragraphs = [.. a.Paragraphs.Where(p => p.Context.Length > 1_100).Take(2)] })
            .Where(a => a.Paragraphs.Count > 0).Take(6)
            .Append(partA.Articles[0] with { Paragraphs = [partA.Articles[0].Paragraphs[0]] })
            .ToList();
        var set = Path.Combine(services.Folder, "recall-set.json");
        SquadJson.Save(new SquadDataset(partA.Version, articles), set);
        var questionCount = SquadJson.Load(set).QuestionCount;

        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await MrcCommandLine.RunAsync(
            ["retrieval", "eval", "--index", services.IndexPath, "--dataset", set, "--k", TopK.ToString(CultureInfo.InvariantCulture), "--json"],
            output, error);
        Assert.True(exit == 0, error.ToString());
        using var report = JsonDocument.Parse(output.ToString().Trim().Split('\n')[^1]);
        Assert.Equal(questionCount, report.RootElement.GetProperty("questions").GetInt32());
        // `mrc retrieval eval --json` prints recall to 4 decimals.
        var mrcRecall = report.RootElement.GetProperty("recall").GetProperty(TopK.ToString(CultureInfo.InvariantCulture)).GetDouble();

        await using var leaderboard = await ServiceProcess.StartAsync("Leaderboard.Web", new Dictionary<string, string>
        {
            ["Leaderboard:AdminSecret"] = AdminSecret,
            ["ConnectionStrings:Leaderboard"] = $"Data Source={Path.Combine(services.Folder, "leaderboard.db")}",
            ["Evaluation:RetrieverAddress"] = services.Retriever.GrpcAddress.ToString(),
            ["Evaluation:ReaderAddress"] = services.Reader.GrpcAddress.ToString(),
            ["Demo:EvaluationSetName"] = "recall-agreement",
            ["Demo:EvaluationSetPath"] = set,
            ["Demo:TeamName"] = "recall",
            ["Demo:TeamToken"] = TeamToken,
        }, TimeSpan.FromMinutes(2));
        using var channel = GrpcChannel.ForAddress(leaderboard.GrpcAddress);
        var client = new Mrc.Contracts.V1.Leaderboard.LeaderboardClient(channel);
        var auth = new Metadata { { "authorization", $"Bearer {TeamToken}" } };
        // Until the reveal a team sees the recall over the public questions only; mrc's is over every
        // question, which is what the admin sees.
        var admin = new Metadata { { "authorization", $"Bearer {AdminSecret}" } };
        var submitted = await client.SubmitAsync(new SubmitRequest
        {
            EvaluationSet = "recall-agreement",
            ModelRun = new ModelRun { Model = RunningServices.ModelName, TopK = TopK },
        }, auth);

        var deadline = DateTime.UtcNow.AddMinutes(3);
        var run = submitted;
        while (run.State is SubmissionState.Queued or SubmissionState.Running && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
            run = await client.GetSubmissionAsync(new GetSubmissionRequest { SubmissionId = submitted.Id }, admin);
        }

        Assert.True(run.State == SubmissionState.Succeeded, $"{run.State}: {run.Error}\n{leaderboard.Log}");
        Assert.Equal(questionCount, run.Total);
        Assert.True(mrcRecall is > 0 and < 1, $"the set should have hits and misses at k={TopK}, not recall {mrcRecall}");
        Assert.Equal(mrcRecall, Math.Round(run.RetrievalRecall, 4));
    }
}
