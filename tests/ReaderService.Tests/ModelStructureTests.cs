using Mrc.Reading.Modeling;
using Mrc.Reader.Tests.Support;
using static TorchSharp.torch;

namespace Mrc.Reader.Tests;

/// <summary>
/// State-dict names and shapes, built on the meta device (no memory, no compute), against approved
/// lists that match Hugging Face's *ForQuestionAnswering checkpoints key for key.
/// </summary>
public class ModelStructureTests
{
    [Theory]
    [InlineData("bert", null)]
    [InlineData("roberta", null)]
    [InlineData("electra", 16)]
    public void StateDict_OnMetaDevice_MatchesApprovedNamesAndShapes(string modelType, int? embeddingSize)
    {
        var config = TinyModels.Config(modelType, vocabSize: 100, embeddingSize: embeddingSize) with { MaxPositionEmbeddings = 64 };
        using var model = new QuestionAnsweringModel(config, META);

        var actual = model.state_dict()
            .Select(p => $"{p.Key} [{string.Join(", ", p.Value.shape)}] {p.Value.device_type}")
            .ToList();

        var approvedPath = Path.Combine(AppContext.BaseDirectory, "Approved", $"{modelType}-qa.state-dict.txt");
        var approved = File.ReadAllLines(approvedPath).Where(l => l.Length > 0).ToList();
        if (!approved.SequenceEqual(actual))
        {
            File.WriteAllLines(Path.ChangeExtension(approvedPath, ".received.txt"), actual);
            Assert.Equal(approved, actual);
        }
    }

    [Fact]
    public void Electra_WithEqualEmbeddingAndHiddenSize_HasNoProjection()
    {
        using var model = new QuestionAnsweringModel(TinyModels.Config("electra"), META);
        Assert.DoesNotContain(model.state_dict().Keys, k => k.Contains("embeddings_project", StringComparison.Ordinal));
    }

    [Fact]
    public void Roberta_PositionIds_StartAfterPaddingIndex()
    {
        // RoBERTa numbers real tokens padding_idx + 1, padding_idx + 2, ...: a padded copy of a
        // sequence gives the real tokens the same hidden states as the unpadded one.
        using var scope = NewDisposeScope();
        var config = TinyModels.Config("roberta");
        using var model = TinyModels.Create(config);
        using var noGrad = no_grad();
        var ids = tensor(new long[] { 0, 5, 6, 7, 2 }, [1, 5]);
        var padded = tensor(new long[] { 0, 5, 6, 7, 2, 1, 1 }, [1, 7]);
        var (start, _) = model.forward(ids, zeros_like(ids), ones_like(ids));
        var (paddedStart, _) = model.forward(padded, zeros_like(padded), tensor(new long[] { 1, 1, 1, 1, 1, 0, 0 }, [1, 7]));
        Assert.True(start.allclose(paddedStart.narrow(1, 0, 5), rtol: 1e-5, atol: 1e-5));
    }

    [Fact]
    public void Forward_PaddedBatch_EqualsEachSequenceAlone()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Create(TinyModels.Config("bert"));
        using var noGrad = no_grad();
        var shortIds = tensor(new long[] { 2, 10, 11, 3 }, [1, 4]);
        var batch = tensor(new long[] { 2, 10, 11, 3, 0, 0, 2, 12, 13, 14, 15, 3 }, [2, 6]);
        var mask = tensor(new long[] { 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1 }, [2, 6]);
        var (alone, _) = model.forward(shortIds, zeros_like(shortIds), ones_like(shortIds));
        var (batched, _) = model.forward(batch, zeros_like(batch), mask);
        Assert.True(alone.allclose(batched.narrow(0, 0, 1).narrow(1, 0, 4), rtol: 1e-5, atol: 1e-5));
    }

    [Fact]
    public void Config_WithUnsupportedActivation_FailsNamingIt()
    {
        var config = TinyModels.Config() with { HiddenAct = "mish" };
        var error = Assert.Throws<NotSupportedException>(() => config.Validate());
        Assert.Contains("mish", error.Message, StringComparison.Ordinal);
    }
}
