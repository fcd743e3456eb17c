using System.CommandLine;
using System.Text.Json;
using Mrc.Leaderboard.Domain;
using Mrc.Leaderboard.Tests.Support;
using Mrc.Cli;
using Mrc.Cli.Commands;

namespace Mrc.Leaderboard.Tests;

/// <summary>`mrc submit` and `mrc leaderboard` against a running leaderboard's gRPC endpoint.</summary>
public sealed class CliTests : IAsyncLifetime
{
    TestDatabase database = default!;
    FakePipeline pipeline = default!;
    LeaderboardHost host = default!;
    string token = "";
    string folder = "";

    public async Task InitializeAsync()
    {
        database = TestDatabase.Sqlite();
        pipeline = await FakePipeline.StartAsync();
        TestSets.Configure(pipeline);
        host = await LeaderboardHost.StartAsync(database, pipeline.Address);
        await host.Get<EvaluationSetService>().RegisterAsync("korean-dev", "korean-dev.json", new MemoryStream(TestSets.KoreanJson()));
        (_, token) = await host.Get<TeamService>().CreateAsync("알파");
        folder = Directory.CreateTempSubdirectory("mrc-cli-").FullName;
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        await pipeline.DisposeAsync();
        database.Dispose();
        Directory.Delete(folder, true);
    }

    static async Task<(int Exit, string Out, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var console = new CliConsole(output, error);
        var root = new RootCommand { LeaderboardCommands.Submit(console), LeaderboardCommands.Leaderboard(console), LeaderboardCommands.Final(console), AdminCommands.Create(console) };
        int exit = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Submit_ModelRunWithWait_ShowsProgressAndFinalScores()
    {
        var (exit, output, error) = await RunAsync("submit", "--server", host.GrpcAddress.ToString(), "--token", token,
            "--set", "korean-dev", "--model", "klue-bert-base", "--version", "v1", "--top-k", "3", "--description", "CLI 실행", "--wait");

        Assert.True(exit == 0, error);
        // Progress lines "STATE done/total" end with the final state; a fast run may never be seen "running".
        Assert.Matches(new System.Text.RegularExpressions.Regex(@"^(running|succeeded) \d+/12", System.Text.RegularExpressions.RegexOptions.Multiline), error);
        using var json = JsonDocument.Parse(output.Trim());
        Assert.Equal("SUBMISSION_STATE_SUCCEEDED", json.RootElement.GetProperty("state").GetString());
        Assert.Equal("CLI 실행", json.RootElement.GetProperty("description").GetString());
        Assert.True(json.RootElement.GetProperty("publicScores").GetProperty("questionCount").GetInt32() > 0);
    }

    [Fact]
    public async Task Submit_PredictionsFile_ThenLeaderboardListsIt()
    {
        var path = Path.Combine(folder, "predictions.json");
        await File.WriteAllBytesAsync(path, TestSets.PredictionsJson(TestSets.ExpectedPredictions()));

        var submit = await RunAsync("submit", "--server", host.GrpcAddress.ToString(), "--token", token,
            "--set", "korean-dev", "--predictions", path, "--label", "rule-based");
        Assert.True(submit.Exit == 0, submit.Error);

        var table = await RunAsync("leaderboard", "--server", host.GrpcAddress.ToString(), "--token", token, "--set", "korean-dev");
        Assert.Equal(0, table.Exit);
        var lines = table.Out.Trim().Split('\n');
        Assert.StartsWith("rank\tteam\tmodel", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("1\t알파\t", StringComparison.Ordinal));

        var json = await RunAsync("leaderboard", "--server", host.GrpcAddress.ToString(), "--token", token, "--set", "korean-dev", "--json");
        using var document = JsonDocument.Parse(json.Out);
        Assert.Equal("알파", document.RootElement.GetProperty("entries")[0].GetProperty("team").GetString());
    }

    [Fact]
    public async Task Submit_WithWrongTokenOrUnknownIds_PrintsTheServersReason()
    {
        var wrong = await RunAsync("leaderboard", "--server", host.GrpcAddress.ToString(), "--token", "nope", "--set", "korean-dev");
        Assert.Equal(CommandErrors.ServerRefused, wrong.Exit);
        Assert.Contains("error: Unauthenticated", wrong.Error, StringComparison.Ordinal);

        var path = Path.Combine(folder, "bad.json");
        await File.WriteAllTextAsync(path, "{\"unknown-id\": \"서울\"}");
        var unknown = await RunAsync("submit", "--server", host.GrpcAddress.ToString(), "--token", token, "--set", "korean-dev", "--predictions", path);
        Assert.Equal(CommandErrors.ServerRefused, unknown.Exit);
        Assert.Contains("InvalidArgument", unknown.Error, StringComparison.Ordinal);
        Assert.Contains("unknown-id", unknown.Error, StringComparison.Ordinal);

        var both = await RunAsync("submit", "--server", host.GrpcAddress.ToString(), "--token", token, "--set", "korean-dev");
        Assert.Equal(CommandErrors.InputError, both.Exit);
        Assert.Contains("exactly one of --predictions", both.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sweep_WithSubmit_SendsTheBestTrialsNewVersion()
    {
        using var tiny = new Mrc.Training.Tests.TinyTrainingSetup();
        // The reader service is faked here: it reports the version the sweep is about to copy in.
        pipeline.Models.Add(new Mrc.Contracts.V1.ModelInfo { Name = "tiny", Version = "1", Architecture = "bert" });
        await File.WriteAllTextAsync(Path.Combine(folder, "run.yaml"), $"""
            model_config: {tiny.ConfigFile}
            tokenizer: {tiny.TokenizerFolder}
            out: unused
            device: cpu
            train: {tiny.TrainFile}
            validation: {tiny.ValidationFile}
            max_seq_length: 96
            doc_stride: 32
            max_query_length: 24
            batch_size: 8
            max_steps: 1
            tracking:
              runs_dir: runs
            """);
        string sweep = Path.Combine(folder, "sweep.yaml");
        await File.WriteAllTextAsync(sweep, "run: run.yaml\nout: sweep\nparameters:\n  learning_rate: [3e-3]\nrepository: models\nmodel_name: tiny\n");

        using var output = new StringWriter();
        using var error = new StringWriter();
        int exit = await MrcCommandLine.RunAsync(
            ["sweep", "--config", sweep, "--submit", "korean-dev", "--server", host.GrpcAddress.ToString(), "--token", token, "--wait"], output, error);

        Assert.True(exit == 0, error.ToString());
        Assert.True(File.Exists(Path.Combine(folder, "models", "tiny", "1", "model.safetensors")));
        using var json = JsonDocument.Parse(output.ToString().Trim().Split('\n')[^1]);
        Assert.Equal("tiny", json.RootElement.GetProperty("model").GetString());
        Assert.Equal("1", json.RootElement.GetProperty("version").GetString());
        Assert.Equal("SUBMISSION_STATE_SUCCEEDED", json.RootElement.GetProperty("state").GetString());
        Assert.StartsWith("sweep sweep.yaml, trial 1: learning_rate=3e-3", json.RootElement.GetProperty("description").GetString(), StringComparison.Ordinal);
        var trial = Assert.Single(new Mrc.Core.Runs.RunStore(Path.Combine(folder, "runs")).List());
        Assert.Equal(("sweep/trial-001", Mrc.Core.Runs.RunKinds.SweepTrial), (trial.Name, trial.Kind));
    }

    [Fact]
    public async Task Final_ShowsMarksAndClearsFinalSubmissions()
    {
        var path = Path.Combine(folder, "predictions.json");
        await File.WriteAllBytesAsync(path, TestSets.PredictionsJson(TestSets.ExpectedPredictions()));
        var ids = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            var submit = await RunAsync("submit", "--server", host.GrpcAddress.ToString(), "--token", token, "--set", "korean-dev", "--predictions", path);
            Assert.True(submit.Exit == 0, submit.Error);
            using var submitted = JsonDocument.Parse(submit.Out);
            ids.Add(submitted.RootElement.GetProperty("id").GetString()!);
        }
        string server = host.GrpcAddress.ToString();

        // Equal scores: the two earliest stand in while nothing is chosen.
        var shown = await RunAsync("final", "--server", server, "--token", token, "--set", "korean-dev");
        Assert.True(shown.Exit == 0, shown.Error);
        Assert.Contains($"final (best public, none chosen; at most 2): {ids[0]}, {ids[1]}", shown.Error, StringComparison.Ordinal);

        var marked = await RunAsync("final", "--server", server, "--token", token, "--set", "korean-dev", ids[2]);
        Assert.True(marked.Exit == 0, marked.Error);
        Assert.Contains($"final (chosen, at most 2): {ids[2]}", marked.Error, StringComparison.Ordinal);

        var tooMany = await RunAsync("final", "--server", server, "--token", token, "--set", "korean-dev", ids[0], ids[1], ids[2]);
        Assert.Equal(CommandErrors.ServerRefused, tooMany.Exit);
        Assert.Contains("error: InvalidArgument: At most 2", tooMany.Error, StringComparison.Ordinal);

        var cleared = await RunAsync("final", "--server", server, "--token", token, "--set", "korean-dev", "--clear");
        Assert.True(cleared.Exit == 0, cleared.Error);
        Assert.Contains("none chosen", cleared.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_CreatesATeam_SchedulesTheSet_AndExportsCsv()
    {
        string server = host.GrpcAddress.ToString();
        var created = await RunAsync("admin", "team", "create", "베타", "--server", server, "--token", LeaderboardHost.AdminSecret);
        Assert.True(created.Exit == 0, created.Error);
        using (var json = JsonDocument.Parse(created.Out))
            Assert.StartsWith("mrc_", json.RootElement.GetProperty("token").GetString(), StringComparison.Ordinal);

        var scheduled = await RunAsync("admin", "set", "update", "korean-dev", "--closes", "2030-01-01T09:00+09:00", "--final-limit", "3",
            "--server", server, "--token", LeaderboardHost.AdminSecret);
        Assert.True(scheduled.Exit == 0, scheduled.Error);
        using (var json = JsonDocument.Parse(scheduled.Out))
        {
            Assert.Equal("2030-01-01T00:00:00Z", json.RootElement.GetProperty("closesAt").GetString());
            Assert.Equal(3, json.RootElement.GetProperty("finalSubmissionLimit").GetInt32());
        }

        var noOffset = await RunAsync("admin", "set", "update", "korean-dev", "--closes", "2030-01-01T09:00",
            "--server", server, "--token", LeaderboardHost.AdminSecret);
        Assert.Equal(CommandErrors.InputError, noOffset.Exit);
        Assert.Contains("with an offset or Z", noOffset.Error, StringComparison.Ordinal);

        var csv = await RunAsync("admin", "set", "export", "korean-dev", "--server", server, "--token", LeaderboardHost.AdminSecret);
        Assert.True(csv.Exit == 0, csv.Error);
        Assert.StartsWith("rank,baseline,team,model,version,submission_id,public_em", csv.Out, StringComparison.Ordinal);

        var asTeam = await RunAsync("admin", "team", "list", "--server", server, "--token", token);
        Assert.Equal(CommandErrors.ServerRefused, asTeam.Exit);
        Assert.Contains("error: PermissionDenied", asTeam.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminSet_Index_IsSentOnCreateAndUpdate_ClearIndexGoesBackToTheDefault_AndBothAtOnceAreRefused()
    {
        pipeline.Indexes.Add("wiki");
        string server = host.GrpcAddress.ToString();
        string file = TestSets.WriteKoreanJson(folder);
        string[] admin = ["--server", server, "--token", LeaderboardHost.AdminSecret];

        var created = await RunAsync(["admin", "set", "create", "korean-wiki", "--file", file, "--index", "wiki", .. admin]);
        Assert.True(created.Exit == 0, created.Error);
        using (var json = JsonDocument.Parse(created.Out))
            Assert.Equal("wiki", json.RootElement.GetProperty("retrieverIndex").GetString());

        var unknown = await RunAsync(["admin", "set", "create", "korean-news", "--file", file, "--index", "news", .. admin]);
        Assert.Equal(CommandErrors.ServerRefused, unknown.Exit);
        Assert.Contains("error: FailedPrecondition: The retriever has no index named \"news\". It serves: default, wiki.", unknown.Error, StringComparison.Ordinal);

        var both = await RunAsync(["admin", "set", "update", "korean-wiki", "--index", "wiki", "--clear-index", .. admin]);
        Assert.Equal(CommandErrors.InputError, both.Exit);
        Assert.Contains("Give --index or --clear-index, not both.", both.Error, StringComparison.Ordinal);

        var cleared = await RunAsync(["admin", "set", "update", "korean-wiki", "--clear-index", .. admin]);
        Assert.True(cleared.Exit == 0, cleared.Error);
        using (var json = JsonDocument.Parse(cleared.Out))
            Assert.Equal("", json.RootElement.GetProperty("retrieverIndex").GetString()); // the default index

        var again = await RunAsync(["admin", "set", "update", "korean-wiki", "--index", "wiki", .. admin]);
        Assert.True(again.Exit == 0, again.Error);
        Assert.Equal("wiki", (await host.Get<EvaluationSetService>().GetAsync("korean-wiki")).RetrieverIndex);
    }
}
