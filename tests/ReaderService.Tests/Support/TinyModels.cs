using Mrc.Reading.Checkpoints;
using Mrc.Reading.Modeling;
using TorchSharp;

namespace Mrc.Reader.Tests.Support;

/// <summary>Tiny random-weight encoders (hidden 32, 2 layers) for fast CPU tests.</summary>
internal static class TinyModels
{
    public static EncoderConfig Config(string modelType = "bert", int vocabSize = 64, int? embeddingSize = null) => new()
    {
        ModelType = modelType,
        VocabSize = vocabSize,
        HiddenSize = 32,
        EmbeddingSize = embeddingSize,
        NumHiddenLayers = 2,
        NumAttentionHeads = 4,
        IntermediateSize = 64,
        MaxPositionEmbeddings = 512 + 2,
        TypeVocabSize = modelType == "roberta" ? 1 : 2,
        PadTokenId = modelType == "roberta" ? 1 : 0,
        HiddenDropoutProb = 0,
        AttentionProbsDropoutProb = 0,
    };

    /// <summary>A seeded random QA model, in eval mode.</summary>
    public static QuestionAnsweringModel Create(EncoderConfig config, int seed = 7)
    {
        var model = new QuestionAnsweringModel(config);
        // Every weight is drawn from a generator of its own: test classes run in parallel, and the
        // global generator shared with them would give two models of the same seed different weights.
        using var generator = new torch.Generator((ulong)seed);
        using (torch.no_grad())
        {
            // Larger than default init so that the logits differ clearly between tokens.
            foreach (var (_, p) in model.named_parameters()) p.normal_(0, 0.5, generator);
        }
        model.eval();
        return model;
    }

    /// <summary>
    /// Writes a complete model version folder: config.json, vocab.txt, tokenizer_config.json and
    /// model.safetensors, with a vocabulary of [PAD] [UNK] [CLS] [SEP] [MASK] plus <paramref name="tokens"/>.
    /// </summary>
    public static string WriteModelFolder(string folder, IEnumerable<string> tokens, string modelType = "bert", int seed = 7, bool lowerCase = false)
    {
        Directory.CreateDirectory(folder);
        var vocab = new List<string> { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" };
        vocab.AddRange(tokens.Where(t => !vocab.Contains(t)).Distinct());
        File.WriteAllLines(Path.Combine(folder, "vocab.txt"), vocab);
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"),
            $$"""{"do_lower_case": {{(lowerCase ? "true" : "false")}}, "tokenize_chinese_chars": true}""");
        var config = Config(modelType, vocab.Count) with { PadTokenId = 0 };
        config.Save(Path.Combine(folder, "config.json"));
        using var model = Create(config, seed);
        CheckpointLoader.SaveSafetensors(model, folder);
        return folder;
    }

    /// <summary>Characters and ##characters of the text: a vocabulary that tokenizes it without [UNK].</summary>
    public static IEnumerable<string> CharacterVocabulary(params string[] texts)
    {
        var chars = texts.SelectMany(t => t).Where(c => !char.IsWhiteSpace(c)).Select(c => c.ToString()).Distinct().ToList();
        return chars.Concat(chars.Select(c => "##" + c));
    }
}

/// <summary>A temporary folder deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("mrc-reader-tests-").FullName;

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still mapped by the runtime: the OS temp cleaner takes it later.
        }
    }
}

internal static class TensorAssertions
{
    /// <summary>Same shape and exactly equal values.</summary>
    public static bool SameAs(this TorchSharp.torch.Tensor a, TorchSharp.torch.Tensor b) =>
        a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();
}
