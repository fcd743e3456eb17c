using System.Security.Cryptography;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Playwright;
using Mrc.Cli;
using Mrc.Contracts.V1;
using Mrc.EndToEnd.Tests.Support;
using Mrc.Leaderboard.Domain;
using Mrc.Leaderboard.Tests.Support;
using Mrc.Tests;

namespace Mrc.Leaderboard.Tests;

/// <summary>
/// Team models through the leaderboard to a real ReaderService process (its own repository in a temp
/// folder): the shipped model uploaded over gRPC with a dropped stream resumed, and with `mrc model
/// upload`; only the uploading team sees and runs its model.
/// </summary>
[Collection(ReaderProcessGroup.Name)]
public sealed class TeamModelTests(ReaderProcess reader) : IAsyncLifetime
{
    const int ChunkBytes = 1024 * 1024;
    static readonly string Shipped = Path.Combine(TestData.RepositoryRoot, "models", "ko-reader-small", "1");

    TestDatabase database = default!;
    LeaderboardHost host = default!;
    TeamInfo alpha = default!, beta = default!;
    string alphaToken = "", betaToken = "";

    public async Task InitializeAsync()
    {
        database = TestDatabase.Sqlite();
        host = await LeaderboardHost.StartAsync(database, reader.Service.GrpcAddress,
            new Dictionary<string, string?> { ["Evaluation:ReaderUploadSecret"] = ReaderProcess.Secret });
        await host.Get<EvaluationSetService>().RegisterAsync("korean-dev", "korean-dev.json", new MemoryStream(TestSets.KoreanJson()));
        (alpha, alphaToken) = await host.Get<TeamService>().CreateAsync("알파");
        (beta, betaToken) = await host.Get<TeamService>().CreateAsync("베타");
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        database.Dispose();
    }

    static IEnumerable<ModelUploadFile> Describe(string folder) =>
        Directory.GetFiles(folder).Order(StringComparer.Ordinal).Select(path => new ModelUploadFile
        {
            Name = Path.GetFileName(path),
            Size = new FileInfo(path).Length,
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))),
        });

    static IEnumerable<TeamModelChunk> Chunks(ModelUploadStatus status)
    {
        foreach (var file in status.Files)
        {
            var bytes = File.ReadAllBytes(Path.Combine(Shipped, file.Name));
            for (long offset = file.Received; offset < bytes.Length; offset += ChunkBytes)
                yield return new TeamModelChunk
                {
                    UploadId = status.UploadId, File = file.Name, Offset = offset,
                    Data = ByteString.CopyFrom(bytes, (int)offset, (int)Math.Min(ChunkBytes, bytes.Length - offset)),
                };
        }
    }

    static async Task<ModelUploadStatus> BeginAsync(Contracts.V1.Leaderboard.LeaderboardClient client, string model)
    {
        var begin = new BeginTeamModelUploadRequest { Model = model };
        begin.Files.AddRange(Describe(Shipped));
        return await client.BeginModelUploadAsync(begin);
    }

    [Fact]
    public async Task Upload_DroppedAndResumed_PublishesAVersionOnlyThatTeamSeesAndRuns()
    {
        var client = host.Client(alphaToken);
        var begun = await BeginAsync(client, "my-reader");
        var chunks = Chunks(begun).ToList();

        using (var drop = new CancellationTokenSource())
        {
            using var call = client.UploadModelChunks(cancellationToken: drop.Token);
            foreach (var chunk in chunks.Take(chunks.Count / 2)) await call.RequestStream.WriteAsync(chunk);
            await drop.CancelAsync();
            await Assert.ThrowsAnyAsync<Exception>(() => call.ResponseAsync);
        }
        // Give the reader a moment to write what reached it before the drop, then continue from its status.
        await Task.Delay(500);
        var status = await client.GetModelUploadAsync(new TeamModelUploadRequest { UploadId = begun.UploadId });
        Assert.InRange(status.ReceivedBytes, 0, chunks.Take(chunks.Count / 2).Sum(c => (long)c.Data.Length));
        using (var call = client.UploadModelChunks())
        {
            foreach (var chunk in Chunks(status)) await call.RequestStream.WriteAsync(chunk);
            await call.RequestStream.CompleteAsync();
            status = await call.ResponseAsync;
        }
        Assert.Equal(status.TotalBytes, status.ReceivedBytes);
        var published = await client.CommitModelUploadAsync(new TeamModelUploadRequest { UploadId = begun.UploadId });

        var name = $"team-{alpha.Id}/my-reader";
        Assert.Equal((name, "1"), (published.Model, published.Version));
        Assert.Contains((await client.ListModelsAsync(new ListModelsRequest())).Models, m => m.Name == name && m.Team == $"team-{alpha.Id}");
        var betaClient = host.Client(betaToken);
        Assert.DoesNotContain((await betaClient.ListModelsAsync(new ListModelsRequest())).Models, m => m.Name == name);
        Assert.Contains((await betaClient.ListModelsAsync(new ListModelsRequest())).Models, m => m.Name == "ko-reader-small");

        var run = new SubmitRequest { EvaluationSet = "korean-dev", ModelRun = new ModelRun { Model = name, TopK = 1 } };
        var refused = await Assert.ThrowsAsync<RpcException>(() => betaClient.SubmitAsync(run).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Contains("another team", refused.Status.Detail, StringComparison.Ordinal);
        var accepted = await client.SubmitAsync(run);
        Assert.Equal((name, "1"), (accepted.Model, accepted.Version));

        // Another team cannot look at or commit the upload either (it is gone once committed: NotFound for all).
        var foreign = await Assert.ThrowsAsync<RpcException>(() => betaClient.GetModelUploadAsync(new TeamModelUploadRequest { UploadId = begun.UploadId }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, foreign.StatusCode);
    }

    [Fact]
    public async Task AnotherTeamsOpenUpload_IsPermissionDenied()
    {
        var begun = await BeginAsync(host.Client(alphaToken), "open-one");
        var betaClient = host.Client(betaToken);

        var status = await Assert.ThrowsAsync<RpcException>(() => betaClient.GetModelUploadAsync(new TeamModelUploadRequest { UploadId = begun.UploadId }).ResponseAsync);
        var commit = await Assert.ThrowsAsync<RpcException>(() => betaClient.CommitModelUploadAsync(new TeamModelUploadRequest { UploadId = begun.UploadId }).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, status.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, commit.StatusCode);
        await host.Client(alphaToken).AbortModelUploadAsync(new TeamModelUploadRequest { UploadId = begun.UploadId });
    }

    [Fact]
    public async Task Upload_WithoutATeamToken_IsRefused()
    {
        var anonymous = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var call = host.Client(null).UploadModelChunks();
            await call.RequestStream.CompleteAsync();
            await call.ResponseAsync;
        });
        var admin = await Assert.ThrowsAsync<RpcException>(() => BeginAsync(host.Client(LeaderboardHost.AdminSecret), "admin-model"));

        Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, admin.StatusCode);
    }

    [Fact]
    public async Task Upload_WhenTheLeaderboardHasNoReaderSecret_IsFailedPrecondition()
    {
        using var otherDatabase = TestDatabase.Sqlite();
        await using var off = await LeaderboardHost.StartAsync(otherDatabase, reader.Service.GrpcAddress);
        var (_, token) = await off.Get<TeamService>().CreateAsync("감마");

        var error = await Assert.ThrowsAsync<RpcException>(() => BeginAsync(off.Client(token), "m"));

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("ReaderUploadSecret", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MrcModelUpload_ResumesAnOpenUploadAndPublishes()
    {
        // An earlier run began the upload and sent the first file only.
        var client = host.Client(alphaToken);
        var begun = await BeginAsync(client, "cli-reader");
        using (var call = client.UploadModelChunks())
        {
            foreach (var chunk in Chunks(begun).Where(c => c.File == begun.Files[0].Name)) await call.RequestStream.WriteAsync(chunk);
            await call.RequestStream.CompleteAsync();
            await call.ResponseAsync;
        }

        var (exit, output, error) = await CliAsync("model", "upload", "--server", host.GrpcAddress.ToString(), "--token", alphaToken,
            "--folder", Shipped, "--name", "cli-reader", "--resume", begun.UploadId, "--chunk-mib", "2");

        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output.Trim());
        Assert.Equal($"team-{alpha.Id}/cli-reader", json.RootElement.GetProperty("model").GetString());
        Assert.Equal("1", json.RootElement.GetProperty("version").GetString());
        Assert.Contains("(100%)", error, StringComparison.Ordinal);

        // A fresh upload of the same name is the next version.
        var again = await CliAsync("model", "upload", "--server", host.GrpcAddress.ToString(), "--token", alphaToken,
            "--folder", Shipped, "--name", "cli-reader");
        Assert.True(again.Exit == 0, again.Error);
        Assert.Contains("\"version\": \"2\"", again.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MrcModelUpload_AFolderThatDoesNotLoad_ExitsWithTheReason()
    {
        using var broken = new TempFolder();
        File.WriteAllText(Path.Combine(broken.Path, "config.json"), """{"model_type": "bert"}""");

        var (exit, _, error) = await CliAsync("model", "upload", "--server", host.GrpcAddress.ToString(), "--token", alphaToken,
            "--folder", broken.Path, "--name", "broken");

        Assert.Equal(3, exit);
        Assert.Contains("FailedPrecondition", error, StringComparison.Ordinal);
        Assert.Contains("does not load", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JsonApi_ListsModelsAndRefusesABadModelNameWith400()
    {
        using var http = new HttpClient { BaseAddress = host.HttpAddress };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", betaToken);

        using var models = JsonDocument.Parse(await http.GetStringAsync("/api/v1/models"));
        using var refused = await http.PostAsync("/api/v1/models/uploads", new StringContent(
            """{"model": "../escape", "files": [{"name": "config.json", "size": "2", "sha256": "%s"}]}""".Replace("%s", new string('a', 64), StringComparison.Ordinal),
            System.Text.Encoding.UTF8, "application/json"));

        Assert.Contains(models.RootElement.GetProperty("models").EnumerateArray(), m => m.GetProperty("name").GetString() == "ko-reader-small");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("model name '../escape'", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [BrowserFact]
    public async Task BrowserPage_UploadsAModelFolderWithProgress_AndRefusesOneThatDoesNotLoadInKorean()
    {
        using var broken = new TempFolder();
        var brokenConfig = Path.Combine(broken.Path, "config.json");
        File.WriteAllText(brokenConfig, """{"model_type": "bert"}""");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        var page = await Chromium.NewKoreanPageAsync(browser, host.HttpAddress);
        page.SetDefaultTimeout(60_000);

        await page.GotoAsync("/signin");
        await Chromium.WaitForCircuitAsync(page);
        await Chromium.Input(page, "token-input").FillAsync(alphaToken);
        await page.ClickAsync("[data-testid=signin-button]");
        await page.WaitForURLAsync("**/submit");
        await page.GotoAsync("/models/upload");
        await Chromium.WaitForCircuitAsync(page);

        await Chromium.Input(page, "model-name").FillAsync("browser-reader");
        await page.Locator("input[type=file]").SetInputFilesAsync(Directory.GetFiles(Shipped));
        await Assertions.Expect(page.Locator("[data-testid=chosen-model-files]")).ToContainTextAsync($"파일 {Directory.GetFiles(Shipped).Length}개");
        await page.ClickAsync("[data-testid=upload-model]");

        var result = page.Locator("[data-testid=upload-result]");
        await Assertions.Expect(result).ToContainTextAsync($"team-{alpha.Id}/browser-reader 버전 1 등록 완료", new() { Timeout = 120_000 });
        await Assertions.Expect(page.Locator("[data-testid=upload-percent]")).ToHaveTextAsync("100%");
        await Assertions.Expect(page.Locator("[data-testid=own-models]")).ToContainTextAsync($"team-{alpha.Id}/browser-reader");
        Assert.True(File.Exists(Path.Combine(reader.Repository, $"team-{alpha.Id}", "browser-reader", "1", "model.safetensors")));

        // A folder the reader cannot load: refused in Korean with the reason, and nothing is published.
        await Chromium.Input(page, "model-name").FillAsync("broken-reader");
        await page.Locator("input[type=file]").SetInputFilesAsync(brokenConfig);
        await Assertions.Expect(page.Locator("[data-testid=chosen-model-files]")).ToContainTextAsync("파일 1개");
        await page.ClickAsync("[data-testid=upload-model]");
        await Assertions.Expect(page.Locator("[data-testid=upload-error]")).ToContainTextAsync("모델을 받을 수 없습니다");
        Assert.False(Directory.Exists(Path.Combine(reader.Repository, $"team-{alpha.Id}", "broken-reader", "1")));
    }

    static async Task<(int Exit, string Out, string Error)> CliAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int exit = await MrcCommandLine.RunAsync(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("mrc-team-model-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}

/// <summary>
/// One ReaderService process for the team-model tests, with uploads on and the shipped model as the
/// repository's shared model. Each test has its own leaderboard database, so team ids repeat across
/// tests: each test uploads under model names of its own.
/// </summary>
public sealed class ReaderProcess : IAsyncLifetime
{
    public const string Secret = "test-reader-upload-secret-0123";

    readonly string repository = Directory.CreateTempSubdirectory("mrc-team-models-").FullName;

    public ServiceProcess Service { get; private set; } = default!;

    public string Repository => repository;

    public async Task InitializeAsync()
    {
        var shared = Path.Combine(repository, "ko-reader-small", "1");
        Directory.CreateDirectory(shared);
        foreach (var file in Directory.GetFiles(Path.Combine(TestData.RepositoryRoot, "models", "ko-reader-small", "1")))
            File.Copy(file, Path.Combine(shared, Path.GetFileName(file)));
        Service = await ServiceProcess.StartAsync("ReaderService", new Dictionary<string, string>
        {
            ["Reader:ModelRepository"] = repository,
            ["Reader:Device"] = "cpu",
            ["Reader:Uploads:Secret"] = Secret,
        }, TimeSpan.FromMinutes(2));
    }

    public async Task DisposeAsync()
    {
        await Service.DisposeAsync();
        Directory.Delete(repository, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class ReaderProcessGroup : ICollectionFixture<ReaderProcess>
{
    public const string Name = "reader process";
}
