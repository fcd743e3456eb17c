using System.Collections;
using System.Text.Json;
using Mrc.Reading.Checkpoints;
using Mrc.Reading.Modeling;
using Mrc.Reader.Tests.Support;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Mrc.Reader.Tests;

/// <summary>Checkpoints written here with TorchSharp.PyBridge, loaded back; every failure loud and named.</summary>
public class CheckpointTests
{
    static readonly EncoderConfig Config = TinyModels.Config("bert");

    static Dictionary<string, Tensor> StateDict(QuestionAnsweringModel model) =>
        model.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone());

    static Tensor StartLogits(QuestionAnsweringModel model)
    {
        using var noGrad = no_grad();
        var ids = tensor(new long[] { 2, 10, 11, 12, 3, 20, 21, 3 }, [1, 8]);
        var (start, _) = model.forward(ids, zeros_like(ids), ones_like(ids));
        return start;
    }

    [Fact]
    public void Safetensors_RoundTrip_GivesIdenticalLogits()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        using var source = TinyModels.Create(Config, seed: 1);
        CheckpointLoader.SaveSafetensors(source, folder.Path);

        using var target = TinyModels.Create(Config, seed: 2);
        var report = CheckpointLoader.Load(target, folder.Path, "bert");

        Assert.Equal(source.state_dict().Count, report.Loaded);
        Assert.Empty(report.Unexpected);
        Assert.True(StartLogits(source).SameAs(StartLogits(target)));
    }

    [Fact]
    public void ShardedSafetensors_WithIndex_LoadsEveryShard()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        using var source = TinyModels.Create(Config, seed: 1);
        var dict = StateDict(source);
        var keys = dict.Keys.ToList();
        var shards = new[] { keys.Take(keys.Count / 2).ToList(), keys.Skip(keys.Count / 2).ToList() };
        var weightMap = new Dictionary<string, string>();
        for (var s = 0; s < shards.Length; s++)
        {
            var file = $"model-{s + 1:00000}-of-{shards.Length:00000}.safetensors";
            Safetensors.SaveStateDict(folder.Combine(file), shards[s].ToDictionary(k => k, k => dict[k]));
            foreach (var key in shards[s]) weightMap[key] = file;
        }
        File.WriteAllText(folder.Combine(CheckpointLoader.SafetensorsIndexFile),
            JsonSerializer.Serialize(new { metadata = new { total_size = 0 }, weight_map = weightMap }));

        using var target = TinyModels.Create(Config, seed: 2);
        var report = CheckpointLoader.Load(target, folder.Path, "bert");

        Assert.Equal(keys.Count, report.Loaded);
        Assert.True(StartLogits(source).SameAs(StartLogits(target)));
    }

    [Fact]
    public void PytorchBin_InFloat16_LoadsUpcastToFloat32()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        using var source = TinyModels.Create(Config, seed: 1);
        var half = new Hashtable();
        foreach (var (key, value) in StateDict(source)) half[key] = value.to(ScalarType.Float16);
        PyTorchPickler.PickleStateDict(folder.Combine(CheckpointLoader.PytorchFile), half);

        using var target = TinyModels.Create(Config, seed: 2);
        CheckpointLoader.Load(target, folder.Path, "bert");

        foreach (var (key, value) in target.state_dict())
        {
            Assert.Equal(ScalarType.Float32, value.dtype);
            Assert.True(value.SameAs(((Tensor)half[key]!).to(ScalarType.Float32)), key);
        }
    }

    [Fact]
    public void Safetensors_InBFloat16_LoadsUpcastToFloat32()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        using var source = TinyModels.Create(Config, seed: 1);
        var bf16 = StateDict(source).ToDictionary(p => p.Key, p => p.Value.to(ScalarType.BFloat16));
        Safetensors.SaveStateDict(folder.Combine(CheckpointLoader.SafetensorsFile), bf16);

        using var target = TinyModels.Create(Config, seed: 2);
        CheckpointLoader.Load(target, folder.Path, "bert");

        var key = "bert.encoder.layer.1.output.dense.weight";
        Assert.True(target.state_dict()[key].SameAs(bf16[key].to(ScalarType.Float32)));
    }

    [Fact]
    public void EncoderOnlyCheckpoint_WithoutPrefix_LoadsIntoEncoder()
    {
        // A BertModel checkpoint (keys without "bert.") feeding the encoder of the parity test or the trainer.
        using var scope = NewDisposeScope();
        using var source = TinyModels.Create(Config, seed: 1);
        var dict = StateDict(source).Where(p => p.Key.StartsWith("bert.", StringComparison.Ordinal))
            .ToDictionary(p => p.Key["bert.".Length..], p => p.Value);
        dict["pooler.dense.weight"] = zeros(32, 32);

        using var encoder = new TransformerEncoder(Config);
        var report = CheckpointLoader.Load(encoder, dict, "bert", "memory");

        Assert.Equal(encoder.state_dict().Count, report.Loaded);
        Assert.Equal(["pooler.dense.weight"], report.Unexpected);
    }

    [Fact]
    public void Load_WithWrongPrefix_FailsNamingMissingWeights()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        using var source = TinyModels.Create(Config, seed: 1);
        var renamed = StateDict(source).ToDictionary(p => p.Key.Replace("bert.", "electra.", StringComparison.Ordinal), p => p.Value);
        Safetensors.SaveStateDict(folder.Combine(CheckpointLoader.SafetensorsFile), renamed);

        using var target = TinyModels.Create(Config, seed: 2);
        var before = target.state_dict()["bert.embeddings.word_embeddings.weight"].clone();
        var error = Assert.Throws<CheckpointException>(() => CheckpointLoader.Load(target, folder.Path, "bert"));

        Assert.Contains("missing weight", error.Message, StringComparison.Ordinal);
        Assert.Contains("bert.embeddings.word_embeddings.weight", error.Message, StringComparison.Ordinal);
        Assert.Contains("electra.", error.Message, StringComparison.Ordinal);
        Assert.True(before.SameAs(target.state_dict()["bert.embeddings.word_embeddings.weight"]), "nothing may be half-loaded");
    }

    [Fact]
    public void Load_WithOneWeightMissing_FailsNamingIt()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        using var source = TinyModels.Create(Config, seed: 1);
        var dict = StateDict(source);
        dict.Remove("qa_outputs.bias");
        Safetensors.SaveStateDict(folder.Combine(CheckpointLoader.SafetensorsFile), dict);

        using var target = TinyModels.Create(Config, seed: 2);
        var error = Assert.Throws<CheckpointException>(() => CheckpointLoader.Load(target, folder.Path, "bert"));

        Assert.Contains("1 missing weight(s): qa_outputs.bias", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WithWrongShape_FailsNamingBothShapes()
    {
        using var scope = NewDisposeScope();
        using var source = TinyModels.Create(Config, seed: 1);
        var dict = StateDict(source);
        dict["qa_outputs.weight"] = zeros(3, 32);

        using var target = TinyModels.Create(Config, seed: 2);
        var error = Assert.Throws<CheckpointException>(() => CheckpointLoader.Load(target, dict, "bert", "memory"));

        Assert.Contains("qa_outputs.weight is [3, 32] but qa_outputs.weight needs [2, 32]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WithExtraKeys_ListsThemAsUnexpected()
    {
        using var scope = NewDisposeScope();
        using var source = TinyModels.Create(Config, seed: 1);
        var dict = StateDict(source);
        dict["bert.pooler.dense.weight"] = zeros(32, 32);
        dict["bert.embeddings.position_ids"] = arange(10);

        using var target = TinyModels.Create(Config, seed: 2);
        var report = CheckpointLoader.Load(target, dict, "bert", "memory");

        Assert.Equal(["bert.embeddings.position_ids", "bert.pooler.dense.weight"], report.Unexpected);
    }

    [Fact]
    public void Load_WithOldLayerNormNames_MapsGammaAndBeta()
    {
        using var scope = NewDisposeScope();
        using var source = TinyModels.Create(Config, seed: 1);
        var dict = StateDict(source).ToDictionary(
            p => p.Key.Replace("LayerNorm.weight", "LayerNorm.gamma", StringComparison.Ordinal).Replace("LayerNorm.bias", "LayerNorm.beta", StringComparison.Ordinal),
            p => p.Value);

        using var target = TinyModels.Create(Config, seed: 2);
        var report = CheckpointLoader.Load(target, dict, "bert", "memory");

        Assert.Empty(report.Unexpected);
        Assert.True(StartLogits(source).SameAs(StartLogits(target)));
    }

    [Fact]
    public void ReadStateDict_WithoutWeights_FailsNamingTheFormats()
    {
        using var folder = new TempFolder();
        var error = Assert.Throws<CheckpointException>(() => CheckpointLoader.ReadStateDict(folder.Path, out _));
        Assert.Contains("model.safetensors", error.Message, StringComparison.Ordinal);
    }
}
