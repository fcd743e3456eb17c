using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace Mrc.Reader.Benchmarks;

/// <summary>
/// Where one encoder layer's time goes: each operation of a BERT layer of the MiniLM shape (hidden
/// 384, 12 heads, intermediate 1536) timed on its own at the given batch and sequence, in the element
/// type asked for, with the alternatives the reader could use (fused QKV, masks of other kinds).
/// </summary>
internal static class OperationProfile
{
    public static void Run(BenchmarkArguments options)
    {
        var batch = options.Int("--profile-batch", 8);
        var seq = options.Int("--seq", 384);
        foreach (var precision in options.List("--precision", "fp32"))
        {
            var type = precision == "bf16" ? ScalarType.BFloat16 : ScalarType.Float32;
            Console.WriteLine(FormattableString.Invariant($"one layer, batch {batch}, seq {seq}, {precision}: ms per call (median of 7)"));
            Profile(batch, seq, type);
        }
    }

    static void Profile(int batch, int seq, ScalarType type)
    {
        const int hidden = 384, heads = 12, headSize = 32, intermediate = 1536;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = randn(batch, seq, hidden).to(type);
        Tensor W(int outFeatures, int inFeatures) => randn(outFeatures, inFeatures).mul(0.02).to(type);
        Tensor B(int n) => zeros(n).to(type);
        var (wq, wk, wv, bq) = (W(hidden, hidden), W(hidden, hidden), W(hidden, hidden), B(hidden));
        var wqkv = cat([wq, wk, wv], 0);
        var bqkv = B(3 * hidden);
        var (wo, bo) = (W(hidden, hidden), B(hidden));
        var (wi, bi) = (W(intermediate, hidden), B(intermediate));
        var (wd, bd) = (W(hidden, intermediate), B(hidden));
        var (gamma, beta) = (ones(hidden).to(type), zeros(hidden).to(type));
        var q = nn.functional.linear(x, wq, bq).view(batch, seq, heads, headSize).transpose(1, 2);
        var boolMask = ones(batch, 1, 1, seq, dtype: ScalarType.Bool);
        var floatMask = zeros(batch, 1, 1, seq).to(type);
        var context = nn.functional.scaled_dot_product_attention(q, q, q, boolMask);
        var up = nn.functional.linear(x, wi, bi);
        var scale = 1.0 / Math.Sqrt(headSize);
        var scores = matmul(q, q.transpose(-1, -2));

        var rows = new (string Name, Action Op)[]
        {
            ("Q, K, V projections (3 linear)", () => { nn.functional.linear(x, wq, bq); nn.functional.linear(x, wk, bq); nn.functional.linear(x, wv, bq); }),
            ("fused QKV projection (1 linear)", () => nn.functional.linear(x, wqkv, bqkv)),
            ("attention, boolean padding mask", () => nn.functional.scaled_dot_product_attention(q, q, q, boolMask)),
            ("attention, additive float mask", () => nn.functional.scaled_dot_product_attention(q, q, q, floatMask)),
            ("attention, no mask", () => nn.functional.scaled_dot_product_attention(q, q, q)),
            ("attention as matmul, softmax, matmul", () => matmul(matmul(q, q.transpose(-1, -2)).mul_(scale).add_(floatMask).softmax(-1), q)),
            ("  its first matmul (scores)", () => matmul(q, q.transpose(-1, -2))),
            ("  its softmax", () => scores.softmax(-1)),
            ("  its second matmul (context)", () => matmul(scores, q)),
            ("heads back to [batch, seq, hidden] (copy)", () => context.transpose(1, 2).reshape(batch, seq, hidden)),
            ("attention output linear", () => nn.functional.linear(x, wo, bo)),
            ("residual add", () => x.add(x)),
            ("LayerNorm", () => nn.functional.layer_norm(x, [hidden], gamma, beta, 1e-12)),
            ("intermediate linear", () => nn.functional.linear(x, wi, bi)),
            ("GELU (erf)", () => nn.functional.gelu(up)),
            ("GELU in place", () => up.clone().gelu_()),
            ("output linear", () => nn.functional.linear(up, wd, bd)),
            ("mask building (ne, unsqueeze)", () => ones(batch, seq, dtype: ScalarType.Int64).ne(0).unsqueeze(1).unsqueeze(2)),
        };
        foreach (var (name, op) in rows)
        {
            for (var i = 0; i < 2; i++) using (NewDisposeScope()) op();
            var times = new List<double>();
            for (var i = 0; i < 7; i++)
            {
                using var step = NewDisposeScope();
                var clock = Stopwatch.StartNew();
                op();
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            Console.WriteLine(FormattableString.Invariant($"  {name,-44} {times[3],8:F2}"));
        }
    }
}
