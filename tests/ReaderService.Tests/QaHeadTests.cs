using System.Text.Json.Nodes;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Mrc.Contracts.V1;
using Mrc.Reading.Checkpoints;
using Mrc.Reading.Inference;
using Mrc.Reading.Modeling;
using Mrc.Reading.Models;
using Mrc.Reading.Tokenization;
using Mrc.Reader.Tests.Support;
using static TorchSharp.torch;

namespace Mrc.Reader.Tests;

/// <summary>
/// The QA head a model folder names in config.json (<c>mrc_head</c>): linear (HF's qa_outputs, the
/// default) or conv; the reader builds the one its config names and refuses a head it does not know.
/// </summary>
public sealed class QaHeadTests : IDisposable
{
    const string Context = "대한민국의 수도는 서울이다.";
    const string Question = "수도는 어디인가?";

    readonly TempFolder root = new();

    public void Dispose() => root.Dispose();

    static EncoderConfig Conv() => TinyModels.Config() with { MrcHead = QaHeads.Conv, MrcHeadKernelSizes = [1, 3, 5], MrcHeadChannels = 8 };

    [Fact]
    public void ConvHead_HasItsOwnWeightNames_AndTheLinearHeadKeepsHuggingFaces()
    {
        using var conv = new QuestionAnsweringModel(Conv(), device: META);
        var shapes = conv.state_dict().ToDictionary(p => p.Key, p => p.Value.shape);

        Assert.Equal([8L, 32, 1], shapes["qa_head.convs.0.weight"]);
        Assert.Equal([8L, 32, 3], shapes["qa_head.convs.1.weight"]);
        Assert.Equal([8L, 32, 5], shapes["qa_head.convs.2.weight"]);
        Assert.Equal([2L, 24], shapes["qa_head.classifier.weight"]);
        Assert.DoesNotContain(shapes.Keys, k => k.StartsWith("qa_outputs", StringComparison.Ordinal));

        using var linear = new QuestionAnsweringModel(TinyModels.Config(), device: META);
        var names = linear.state_dict().Keys.Where(k => !k.StartsWith("bert.", StringComparison.Ordinal)).Order();
        Assert.Equal(["qa_outputs.bias", "qa_outputs.weight"], names);
    }

    [Fact]
    public void LinearConfig_IsSavedWithoutTheHeadKeys_AndAConvConfigNamesItsHyperparameters()
    {
        TinyModels.Config().WithHead(QaHeads.Linear).Save(root.Combine("linear.json"));
        var linear = JsonNode.Parse(File.ReadAllText(root.Combine("linear.json")))!.AsObject();
        Assert.DoesNotContain(linear, p => p.Key.StartsWith("mrc_", StringComparison.Ordinal));

        TinyModels.Config().WithHead(QaHeads.Conv).Save(root.Combine("conv.json"));
        var conv = EncoderConfig.Load(root.Combine("conv.json"));
        Assert.Equal(QaHeads.Conv, conv.MrcHead);
        Assert.Equal([1, 3, 5], conv.MrcHeadKernelSizes!);
        Assert.Equal(32, conv.MrcHeadChannels);
    }

    [Fact]
    public void ConvHead_LogitsOfAWindowDoNotDependOnItsBatchsPadding()
    {
        string folder = TinyModels.WriteModelFolder(root.Combine("m"), TinyModels.CharacterVocabulary(Context, Question, "세종대왕은 훈민정음을 만들었다"));
        var config = EncoderConfig.Load(Path.Combine(folder, "config.json")) with { MrcHead = QaHeads.Conv };
        var tokenizer = TokenizerLoader.FromFolder(folder);
        using var model = TinyModels.Create(config);
        var executor = new ModelExecutor(model, CPU, tokenizer.PadId);
        var shortWindow = QaFeatures.Prepare(tokenizer, Question, Context, 384, 128, 64)[0];
        var longWindow = QaFeatures.Prepare(tokenizer, Question, Context + " 세종대왕은 훈민정음을 만들었다. 세종대왕은 훈민정음을 만들었다.", 384, 128, 64)[0];

        var alone = executor.Run([shortWindow])[0];
        var padded = executor.Run([shortWindow, longWindow])[0];

        Assert.True(longWindow.Length > shortWindow.Length);
        for (int i = 0; i < alone.StartLogits.Length; i++)
        {
            // Equal up to float rounding: a longer batch sums in another order, nothing more.
            Assert.Equal(alone.StartLogits[i], padded.StartLogits[i], tolerance: 1e-4);
            Assert.Equal(alone.EndLogits[i], padded.EndLogits[i], tolerance: 1e-4);
        }
    }

    [Fact]
    public void Load_WithAnUnknownHead_FailsNamingIt()
    {
        string folder = WriteUnknownHeadVersion(root.Combine("m"));

        var error = Assert.Throws<NotSupportedException>(() => ReaderFactory.Load(folder, device: "cpu"));

        Assert.Contains("mrc_head 'attention-pooling' is not supported (linear, conv)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_VersionWithAnUnknownHead_ReturnsFailedPreconditionNamingIt_AndOthersKeepServing()
    {
        TinyModels.WriteModelFolder(root.Combine("tiny", "1"), TinyModels.CharacterVocabulary(Context, Question));
        WriteUnknownHeadVersion(root.Combine("tiny", "2"));
        using var factory = new WebApplicationFactory<ReaderOptions>().WithWebHostBuilder(web =>
        {
            web.UseSetting("Reader:ModelRepository", root.Path);
            web.UseSetting("Reader:DefaultModel", "tiny");
            web.UseSetting("Reader:Device", "cpu");
        });
        using var channel = GrpcChannel.ForAddress(factory.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = factory.Server.CreateHandler() });
        var client = new Contracts.V1.Reader.ReaderClient(channel);
        var request = new ReadRequest { Question = Question, Model = "tiny", Version = "2" };
        request.Passages.Add(new ReadPassage { Id = "p", Title = "t", Text = Context });

        var error = await Assert.ThrowsAsync<RpcException>(async () => await client.ReadAsync(request, deadline: DateTime.UtcNow.AddSeconds(60)));

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("attention-pooling", error.Status.Detail, StringComparison.Ordinal);
        request.Version = "1";
        Assert.NotEmpty((await client.ReadAsync(request, deadline: DateTime.UtcNow.AddSeconds(60))).Answers);
    }

    static string WriteUnknownHeadVersion(string folder)
    {
        TinyModels.WriteModelFolder(folder, TinyModels.CharacterVocabulary(Context, Question));
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "config.json")))!;
        config["mrc_head"] = "attention-pooling";
        File.WriteAllText(Path.Combine(folder, "config.json"), config.ToJsonString());
        return folder;
    }
}
