using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Mrc.Contracts.V1;
using Mrc.Reading.Models;
using Mrc.Reading.Tokenization;
using Mrc.Reader.Tests.Support;

namespace Mrc.Reader.Tests;

/// <summary>
/// A corrupt SentencePiece or BPE file fails the load with a message naming the file; in the
/// service that version answers FailedPrecondition while the others keep serving.
/// </summary>
public sealed class TokenizerLoadErrorTests : IDisposable
{
    const string Context = "대한민국의 수도는 서울이다.";
    const string Question = "수도는 어디인가?";

    readonly TempFolder root = new();

    public void Dispose() => root.Dispose();

    [Theory]
    [InlineData("sentencepiece.bpe.model", "not a protobuf message")]
    [InlineData("merges.txt", "#version: 0.2\nĠ a b\n")]
    [InlineData("merges.txt", "#version: 0.2\nnot-a-token in-the-vocabulary\n")]
    [InlineData("vocab.json", "{\"<s>\": 0, ")]
    public void Load_WithCorruptTokenizerFile_ThrowsInvalidDataNamingTheFile(string file, string content)
    {
        var folder = file == "sentencepiece.bpe.model"
            ? TinyTokenizerFiles.WriteXlmRobertaFolder(root.Combine("m"), seed: 1, Context, Question)
            : TinyTokenizerFiles.WriteRobertaBpeFolder(root.Combine("m"), seed: 1, Context, Question);
        File.WriteAllText(Path.Combine(folder, file), content);

        var error = Assert.Throws<InvalidDataException>(() => TokenizerLoader.FromFolder(folder));

        Assert.Contains(Path.Combine(folder, file), error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}}}")]
    [InlineData("{\"model\": {\"type\": \"Unigram\", \"unk_id\": 0, \"vocab\": [[\"a\"]]}}")]
    [InlineData("{\"model\": {\"type\": \"BPE\", ")]
    public void Load_WithMalformedTokenizerJson_ThrowsInvalidDataNamingTheFile(string content)
    {
        var folder = Directory.CreateDirectory(root.Combine("json")).FullName;
        var path = Path.Combine(folder, "tokenizer.json");
        File.WriteAllText(path, content);

        var error = Assert.Throws<InvalidDataException>(() => TokenizerLoader.FromFolder(folder));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WithTruncatedSentencePieceModel_ThrowsInvalidDataNamingTheFile()
    {
        var folder = TinyTokenizerFiles.WriteXlmRobertaFolder(root.Combine("m"), seed: 1, Context, Question);
        var path = Path.Combine(folder, "sentencepiece.bpe.model");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var error = Assert.Throws<InvalidDataException>(() => TokenizerLoader.FromFolder(folder));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Acquire_VersionWithCorruptSentencePieceModel_FailsNamingTheFileAndOthersKeepServing()
    {
        WriteRepository();
        await using var manager = new ModelManager(
            new ReaderOptions { ModelRepository = root.Path, DefaultModel = "xlmr", Device = "cpu" }.ToManagerSettings(),
            NullLogger<ModelManager>.Instance);

        var error = await Assert.ThrowsAsync<ModelLoadException>(() => manager.AcquireAsync("xlmr", "2", CancellationToken.None));

        Assert.Contains("sentencepiece.bpe.model", error.Message, StringComparison.Ordinal);
        using var lease = await manager.AcquireAsync("xlmr", "1", CancellationToken.None);
        Assert.IsType<SentencePieceTokenizer>(lease.Reader.Local.Tokenizer);
    }

    [Fact]
    public async Task Read_VersionWithCorruptMerges_ReturnsFailedPreconditionAndOthersKeepServing()
    {
        WriteRepository();
        using var factory = new WebApplicationFactory<ReaderOptions>().WithWebHostBuilder(web =>
        {
            web.UseSetting("Reader:ModelRepository", root.Path);
            web.UseSetting("Reader:DefaultModel", "xlmr");
            web.UseSetting("Reader:Device", "cpu");
        });
        using var channel = GrpcChannel.ForAddress(factory.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = factory.Server.CreateHandler() });
        var client = new Contracts.V1.Reader.ReaderClient(channel);
        var request = new ReadRequest { Question = Question, Model = "roberta", Version = "2" };
        request.Passages.Add(new ReadPassage { Id = "p", Title = "t", Text = Context });

        var error = await Assert.ThrowsAsync<RpcException>(async () => await client.ReadAsync(request, deadline: DateTime.UtcNow.AddSeconds(60)));

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("merges.txt", error.Status.Detail, StringComparison.Ordinal);
        request.Version = "1";
        Assert.NotEmpty((await client.ReadAsync(request, deadline: DateTime.UtcNow.AddSeconds(60))).Answers);
        request.Model = "xlmr";
        request.Version = "1";
        Assert.NotEmpty((await client.ReadAsync(request, deadline: DateTime.UtcNow.AddSeconds(60))).Answers);
    }

    /// <summary>xlmr/1 and roberta/1 sound; xlmr/2 with a corrupt SentencePiece model, roberta/2 with corrupt merges.</summary>
    void WriteRepository()
    {
        TinyTokenizerFiles.WriteXlmRobertaFolder(root.Combine("xlmr", "1"), seed: 1, Context, Question);
        var badModel = TinyTokenizerFiles.WriteXlmRobertaFolder(root.Combine("xlmr", "2"), seed: 2, Context, Question);
        File.WriteAllText(Path.Combine(badModel, "sentencepiece.bpe.model"), "not a protobuf message");
        TinyTokenizerFiles.WriteRobertaBpeFolder(root.Combine("roberta", "1"), seed: 3, Context, Question);
        var badMerges = TinyTokenizerFiles.WriteRobertaBpeFolder(root.Combine("roberta", "2"), seed: 4, Context, Question);
        File.WriteAllText(Path.Combine(badMerges, "merges.txt"), "#version: 0.2\nthree tokens here\n");
    }
}
