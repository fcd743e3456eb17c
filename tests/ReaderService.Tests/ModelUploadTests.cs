using System.Security.Cryptography;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Mrc.Contracts.V1;
using Mrc.Reader.Tests.Support;
using Mrc.Tests;

namespace Mrc.Reader.Tests;

/// <summary>
/// mrc.v1.ModelUploads over gRPC (HTTP/2 through the ASP.NET Core test server) into a model repository
/// in a temp folder: the shipped model uploaded in chunks with a dropped stream resumed, broken folders
/// refused with nothing left behind, the limits and the secret.
/// </summary>
public sealed class ModelUploadTests : IDisposable
{
    const string Secret = "test-upload-secret-0123456789";
    const int ChunkBytes = 1024 * 1024;

    readonly TempFolder repository = new();
    readonly WebApplicationFactory<ReaderOptions> factory;
    readonly GrpcChannel channel;
    readonly ModelUploads.ModelUploadsClient uploads;
    readonly Contracts.V1.Reader.ReaderClient reader;
    readonly Metadata auth = new() { { "authorization", "Bearer " + Secret } };
    readonly List<string> vocab = [.. TinyModels.CharacterVocabulary(TinyModelRepository.Context, TinyModelRepository.Question)];

    public ModelUploadTests()
    {
        TinyModels.WriteModelFolder(repository.Combine("shared-tiny", "1"), vocab, seed: 1);
        factory = new WebApplicationFactory<ReaderOptions>().WithWebHostBuilder(web =>
        {
            web.UseSetting("Reader:ModelRepository", repository.Path);
            web.UseSetting("Reader:DefaultModel", "shared-tiny");
            web.UseSetting("Reader:Device", "cpu");
            web.UseSetting("Reader:Uploads:Secret", Secret);
            web.UseSetting("Reader:Uploads:MaxBytes", "30000000");
            web.UseSetting("Reader:Uploads:MaxFiles", "10");
        });
        channel = GrpcChannel.ForAddress(factory.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = factory.Server.CreateHandler() });
        uploads = new ModelUploads.ModelUploadsClient(channel);
        reader = new Contracts.V1.Reader.ReaderClient(channel);
    }

    public void Dispose()
    {
        channel.Dispose();
        factory.Dispose();
        repository.Dispose();
    }

    static DateTime Deadline => DateTime.UtcNow.AddSeconds(120);

    string Staging => repository.Combine(".uploads");

    static ModelUploadFile Describe(string path) => new()
    {
        Name = Path.GetFileName(path),
        Size = new FileInfo(path).Length,
        Sha256 = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))),
    };

    Task<ModelUploadStatus> BeginAsync(string team, string model, string folder) => BeginAsync(team, model, Directory.GetFiles(folder).Order(StringComparer.Ordinal).Select(Describe));

    async Task<ModelUploadStatus> BeginAsync(string team, string model, IEnumerable<ModelUploadFile> files)
    {
        var request = new BeginModelUploadRequest { Team = team, Model = model };
        request.Files.AddRange(files);
        return await uploads.BeginAsync(request, auth, Deadline);
    }

    /// <summary>The chunks of every file from what the reader has already received, in order.</summary>
    static IEnumerable<ModelUploadChunk> Chunks(string folder, ModelUploadStatus status)
    {
        foreach (var file in status.Files)
        {
            var bytes = File.ReadAllBytes(Path.Combine(folder, file.Name));
            for (long offset = file.Received; offset < bytes.Length; offset += ChunkBytes)
            {
                int length = (int)Math.Min(ChunkBytes, bytes.Length - offset);
                yield return new ModelUploadChunk
                {
                    UploadId = status.UploadId, Team = status.Team, File = file.Name, Offset = offset,
                    Data = ByteString.CopyFrom(bytes, (int)offset, length),
                };
            }
        }
    }

    async Task<ModelUploadStatus> SendAsync(IEnumerable<ModelUploadChunk> chunks)
    {
        using var call = uploads.Upload(auth, Deadline);
        foreach (var chunk in chunks) await call.RequestStream.WriteAsync(chunk);
        await call.RequestStream.CompleteAsync();
        return await call.ResponseAsync;
    }

    async Task<ModelUploadStatus> UploadAllAsync(string team, string model, string folder)
    {
        var begun = await BeginAsync(team, model, folder);
        return await SendAsync(Chunks(folder, begun));
    }

    static ModelUploadRef Ref(ModelUploadStatus status) => new() { UploadId = status.UploadId, Team = status.Team };

    static ReadRequest Question(string model)
    {
        var request = new ReadRequest { Question = "세종대왕은 훈민정음을 언제 만들었는가?", Model = model };
        request.Passages.Add(new ReadPassage { Id = "p", Text = "대한민국의 수도는 서울이다. 세종대왕은 훈민정음을 1443년에 만들었다." });
        return request;
    }

    [Fact]
    public async Task Upload_ShippedModelInChunks_DroppedHalfwayResumedFromStatus_PublishesAVersionThatAnswersLikeTheOriginal()
    {
        var shipped = Path.Combine(TestData.RepositoryRoot, "models", "ko-reader-small", "1");
        var begun = await BeginAsync("team-a", "ko-reader", shipped);
        var chunks = Chunks(shipped, begun).ToList();
        Assert.True(chunks.Count > 10);

        // The connection drops after half the chunks: the call is cancelled mid-stream.
        using (var drop = new CancellationTokenSource())
        {
            using var call = uploads.Upload(auth, Deadline, drop.Token);
            foreach (var chunk in chunks.Take(chunks.Count / 2)) await call.RequestStream.WriteAsync(chunk);
            await drop.CancelAsync();
            await Assert.ThrowsAnyAsync<Exception>(() => call.ResponseAsync);
        }
        var status = await WaitForQuietAsync(begun);
        long sent = chunks.Take(chunks.Count / 2).Sum(c => (long)c.Data.Length);
        Assert.InRange(status.ReceivedBytes, 1, sent);

        var done = await SendAsync(Chunks(shipped, status));
        Assert.Equal(done.TotalBytes, done.ReceivedBytes);
        var committed = await uploads.CommitAsync(Ref(done), auth, Deadline);

        Assert.Equal("team-a/ko-reader", committed.Model);
        Assert.Equal("1", committed.Version);
        Assert.Equal("bert", committed.Architecture);
        Assert.False(string.IsNullOrEmpty(committed.ProbeAnswer));
        Assert.False(Directory.Exists(Path.Combine(Staging, done.UploadId)));
        foreach (var file in Directory.GetFiles(shipped))
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(repository.Combine("team-a", "ko-reader", "1", Path.GetFileName(file))));

        var listed = (await reader.ListModelsAsync(new ListModelsRequest(), deadline: Deadline)).Models.Single(m => m.Name == "team-a/ko-reader");
        Assert.Equal(("1", "team-a", false), (listed.Version, listed.Team, listed.IsDefault));

        // The same weights give the same answer: the uploaded version against the shipped folder served
        // as a shared model of the same repository.
        CopyFolder(shipped, repository.Combine("ko-reader-small", "1"));
        var fromUpload = await reader.ReadAsync(Question("team-a/ko-reader"), deadline: Deadline);
        var fromShipped = await reader.ReadAsync(Question("ko-reader-small"), deadline: Deadline);
        Assert.Equal(("team-a/ko-reader", "1"), (fromUpload.Model, fromUpload.Version));
        Assert.Equal(fromShipped.Answers.Select(a => (a.Text, a.StartChar)), fromUpload.Answers.Select(a => (a.Text, a.StartChar)));
    }

    /// <summary>Status once the dropped stream's last chunk has been written (the server sees the drop a little later).</summary>
    async Task<ModelUploadStatus> WaitForQuietAsync(ModelUploadStatus begun)
    {
        var status = await uploads.StatusAsync(Ref(begun), auth, Deadline);
        for (int i = 0; i < 50; i++)
        {
            await Task.Delay(100);
            var again = await uploads.StatusAsync(Ref(begun), auth, Deadline);
            if (again.ReceivedBytes == status.ReceivedBytes) return again;
            status = again;
        }
        return status;
    }

    [Fact]
    public async Task Commit_TwiceForOneModel_NumbersTheVersionsOneAndTwo()
    {
        using var source = new TempFolder();
        TinyModels.WriteModelFolder(source.Path, vocab, seed: 5);

        var first = await uploads.CommitAsync(Ref(await UploadAllAsync("team-b", "tiny", source.Path)), auth, Deadline);
        var second = await uploads.CommitAsync(Ref(await UploadAllAsync("team-b", "tiny", source.Path)), auth, Deadline);

        Assert.Equal(("team-b/tiny", "1"), (first.Model, first.Version));
        Assert.Equal(("team-b/tiny", "2"), (second.Model, second.Version));
        var read = await reader.ReadAsync(Question("team-b/tiny"), deadline: Deadline);
        Assert.Equal("2", read.Version);
    }

    [Fact]
    public async Task Commit_TruncatedSafetensors_IsRefusedWithTheReasonAndLeavesNothing()
    {
        using var source = new TempFolder();
        TinyModels.WriteModelFolder(source.Path, vocab);
        var weights = source.Combine("model.safetensors");
        var bytes = File.ReadAllBytes(weights);
        File.WriteAllBytes(weights, bytes[..(bytes.Length / 2)]);

        var done = await UploadAllAsync("team-c", "broken", source.Path);
        var error = await Assert.ThrowsAsync<RpcException>(() => uploads.CommitAsync(Ref(done), auth, Deadline).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("does not load", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("safetensors", error.Status.Detail, StringComparison.OrdinalIgnoreCase);
        Assert.False(Directory.Exists(repository.Combine("team-c", "broken", "1")));
        Assert.Empty(Directory.GetDirectories(Staging));
        var gone = await Assert.ThrowsAsync<RpcException>(() => uploads.StatusAsync(Ref(done), auth, Deadline).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Commit_ConfigThatIsNotJson_IsRefusedWithTheReasonAndLeavesNothing()
    {
        using var source = new TempFolder();
        TinyModels.WriteModelFolder(source.Path, vocab);
        File.WriteAllText(source.Combine("config.json"), "{ not json");

        var done = await UploadAllAsync("team-c", "bad-config", source.Path);
        var error = await Assert.ThrowsAsync<RpcException>(() => uploads.CommitAsync(Ref(done), auth, Deadline).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("config.json", error.Status.Detail, StringComparison.Ordinal);
        Assert.False(Directory.Exists(repository.Combine("team-c", "bad-config", "1")));
        Assert.Empty(Directory.GetDirectories(Staging));
    }

    [Fact]
    public async Task Commit_ShardNamedOutsideTheFolder_IsRefusedNamingTheIndex()
    {
        using var source = new TempFolder();
        TinyModels.WriteModelFolder(source.Path, vocab);
        File.Move(source.Combine("model.safetensors"), source.Combine("model-00001-of-00001.safetensors"));
        File.WriteAllText(source.Combine("model.safetensors.index.json"),
            """{"metadata": {}, "weight_map": {"qa_outputs.weight": "../../../shared-tiny/1/model.safetensors"}}""");

        var done = await UploadAllAsync("team-c", "escape", source.Path);
        var error = await Assert.ThrowsAsync<RpcException>(() => uploads.CommitAsync(Ref(done), auth, Deadline).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("model.safetensors.index.json", error.Status.Detail, StringComparison.Ordinal);
        Assert.False(Directory.Exists(repository.Combine("team-c", "escape")) && Directory.EnumerateDirectories(repository.Combine("team-c", "escape")).Any());
    }

    [Fact]
    public async Task Commit_FileIncompleteOrWithAnotherHash_IsRefused()
    {
        using var source = new TempFolder();
        TinyModels.WriteModelFolder(source.Path, vocab);
        var begun = await BeginAsync("team-d", "half", source.Path);
        await SendAsync(Chunks(source.Path, begun).Where(c => c.File != "vocab.txt"));

        var incomplete = await Assert.ThrowsAsync<RpcException>(() => uploads.CommitAsync(Ref(begun), auth, Deadline).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, incomplete.StatusCode);
        Assert.Contains("vocab.txt", incomplete.Status.Detail, StringComparison.Ordinal);

        var files = Directory.GetFiles(source.Path).Select(Describe).ToList();
        files.Single(f => f.Name == "vocab.txt").Sha256 = new string('0', 64);
        var lying = await BeginAsync("team-d", "hash", files);
        await SendAsync(Chunks(source.Path, lying));
        var mismatch = await Assert.ThrowsAsync<RpcException>(() => uploads.CommitAsync(Ref(lying), auth, Deadline).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, mismatch.StatusCode);
        Assert.Contains("SHA-256", mismatch.Status.Detail, StringComparison.Ordinal);
        Assert.Empty(Directory.GetDirectories(Staging));
    }

    [Fact]
    public async Task Begin_LargerThanTheLimitOrTooManyFiles_IsResourceExhaustedAndWritesNothing()
    {
        var tooLarge = await Assert.ThrowsAsync<RpcException>(() => BeginAsync("team-e", "big",
            [new ModelUploadFile { Name = "config.json", Size = 10, Sha256 = new string('a', 64) },
             new ModelUploadFile { Name = "model.safetensors", Size = 30_000_000, Sha256 = new string('b', 64) }]));
        var tooMany = await Assert.ThrowsAsync<RpcException>(() => BeginAsync("team-e", "many",
            Enumerable.Range(0, 11).Select(i => new ModelUploadFile { Name = i == 0 ? "config.json" : $"f{i}.txt", Size = 1, Sha256 = new string('a', 64) })));

        Assert.Equal(StatusCode.ResourceExhausted, tooLarge.StatusCode);
        Assert.Contains("30,000,000", tooLarge.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.ResourceExhausted, tooMany.StatusCode);
        Assert.False(Directory.Exists(Staging) && Directory.EnumerateFileSystemEntries(Staging).Any());
    }

    [Fact]
    public async Task Upload_ChunkPastTheDeclaredSizeOrAtTheWrongOffset_IsRefused()
    {
        var begun = await BeginAsync("team-e", "m", [new ModelUploadFile { Name = "config.json", Size = 4, Sha256 = new string('a', 64) }]);
        ModelUploadChunk Chunk(long offset, int length, string file = "config.json") => new()
        {
            UploadId = begun.UploadId, Team = "team-e", File = file, Offset = offset, Data = ByteString.CopyFrom(new byte[length]),
        };

        var past = await Assert.ThrowsAsync<RpcException>(() => SendAsync([Chunk(0, 5)]));
        var gap = await Assert.ThrowsAsync<RpcException>(() => SendAsync([Chunk(2, 2)]));
        var undeclared = await Assert.ThrowsAsync<RpcException>(() => SendAsync([Chunk(0, 1, "other.bin")]));

        Assert.Equal(StatusCode.InvalidArgument, past.StatusCode);
        Assert.Equal(StatusCode.FailedPrecondition, gap.StatusCode);
        Assert.Contains("0 bytes have been received", gap.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.InvalidArgument, undeclared.StatusCode);
        Assert.Equal(0, (await uploads.StatusAsync(Ref(begun), auth, Deadline)).ReceivedBytes);
    }

    [Theory]
    [InlineData("../etc", "m", "config.json")]
    [InlineData("team", "..", "config.json")]
    [InlineData("team", "a/b", "config.json")]
    [InlineData(".uploads", "m", "config.json")]
    [InlineData("team", "m", "../config.json")]
    [InlineData("team", "m", ".hidden")]
    [InlineData("team", "m", "sub/config.json")]
    public async Task Begin_NameThatIsNotAPlainFolderOrFileName_IsInvalidArgument(string team, string model, string file)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => BeginAsync(team, model,
            [new ModelUploadFile { Name = "config.json", Size = 1, Sha256 = new string('a', 64) },
             new ModelUploadFile { Name = file == "config.json" ? "vocab.txt" : file, Size = 1, Sha256 = new string('a', 64) }]));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.False(Directory.Exists(Staging) && Directory.EnumerateFileSystemEntries(Staging).Any());
    }

    [Fact]
    public async Task Begin_WithoutConfigJsonOrForASharedModelsName_IsRefused()
    {
        var noConfig = await Assert.ThrowsAsync<RpcException>(() => BeginAsync("team", "m",
            [new ModelUploadFile { Name = "model.safetensors", Size = 1, Sha256 = new string('a', 64) }]));
        var shared = await Assert.ThrowsAsync<RpcException>(() => BeginAsync("shared-tiny", "m",
            [new ModelUploadFile { Name = "config.json", Size = 1, Sha256 = new string('a', 64) }]));

        Assert.Equal(StatusCode.InvalidArgument, noConfig.StatusCode);
        Assert.Contains("config.json", noConfig.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.FailedPrecondition, shared.StatusCode);
    }

    [Fact]
    public async Task Calls_WithoutOrWithAWrongSecret_AreRefused()
    {
        var request = new BeginModelUploadRequest { Team = "t", Model = "m" };
        request.Files.Add(new ModelUploadFile { Name = "config.json", Size = 1, Sha256 = new string('a', 64) });

        var none = await Assert.ThrowsAsync<RpcException>(() => uploads.BeginAsync(request, deadline: Deadline).ResponseAsync);
        var wrong = await Assert.ThrowsAsync<RpcException>(() =>
            uploads.BeginAsync(request, new Metadata { { "authorization", "Bearer not-the-secret" } }, Deadline).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, none.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, wrong.StatusCode);
        Assert.Contains("wrong", wrong.Status.Detail, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Staging));
    }

    [Fact]
    public async Task AnotherTeamsUpload_CannotBeReadWrittenOrCommitted()
    {
        var begun = await BeginAsync("team-f", "m", [new ModelUploadFile { Name = "config.json", Size = 1, Sha256 = new string('a', 64) }]);
        var stranger = new ModelUploadRef { UploadId = begun.UploadId, Team = "team-g" };

        var status = await Assert.ThrowsAsync<RpcException>(() => uploads.StatusAsync(stranger, auth, Deadline).ResponseAsync);
        var commit = await Assert.ThrowsAsync<RpcException>(() => uploads.CommitAsync(stranger, auth, Deadline).ResponseAsync);
        var write = await Assert.ThrowsAsync<RpcException>(() => SendAsync([new ModelUploadChunk
        {
            UploadId = begun.UploadId, Team = "team-g", File = "config.json", Offset = 0, Data = ByteString.CopyFrom(new byte[1]),
        }]));

        Assert.All([status, commit, write], e => Assert.Equal(StatusCode.PermissionDenied, e.StatusCode));
        Assert.Equal(0, (await uploads.StatusAsync(Ref(begun), auth, Deadline)).ReceivedBytes);
    }

    [Fact]
    public async Task Abort_DeletesTheUpload()
    {
        var begun = await BeginAsync("team-h", "m", [new ModelUploadFile { Name = "config.json", Size = 1, Sha256 = new string('a', 64) }]);

        await uploads.AbortAsync(Ref(begun), auth, Deadline);

        Assert.Empty(Directory.GetDirectories(Staging));
        var gone = await Assert.ThrowsAsync<RpcException>(() => uploads.StatusAsync(Ref(begun), auth, Deadline).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
    }

    static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }
}
