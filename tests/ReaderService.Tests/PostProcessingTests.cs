using Mrc.Reading.Inference;
using Mrc.Reading.Tokenization;

namespace Mrc.Reader.Tests;

/// <summary>HF run_qa.py windowing and utils_qa.py post-processing, on hand-made logits.</summary>
public class PostProcessingTests
{
    const string Context = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau";

    static readonly WordPieceTokenizer Tokenizer = new(
        new[] { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "what", "is", "?" }
            .Concat(Context.Split(' '))
            .Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i),
        new BertNormalizerOptions(Lowercase: true));

    static WindowLogits Logits(FeatureWindow window, int start, int end, float value = 10)
    {
        var s = new float[window.Length];
        var e = new float[window.Length];
        s[start] = value;
        e[end] = value;
        return new WindowLogits(s, e);
    }

    static int TokenIndexOf(FeatureWindow window, string word)
    {
        for (var i = 0; i < window.Length; i++)
        {
            if (window.OffsetMapping[i] is { } span && Context[span.Start..span.End] == word) return i;
        }
        return -1;
    }

    [Fact]
    public void Prepare_LongContext_OverlapsWindowsByDocStride()
    {
        var windows = QaFeatures.Prepare(Tokenizer, "what is ?", Context, max_seq_length: 16, doc_stride: 4);

        // 16 − 3 question tokens − 3 specials = 10 context tokens per window, 6 new ones each time:
        // 19 context tokens → [0, 10), [6, 16), [12, 19).
        Assert.Equal(3, windows.Count);
        var contextSpans = windows.Select(w => w.OffsetMapping.OfType<TokenSpan>().ToList()).ToList();
        Assert.Equal([10, 10, 7], contextSpans.Select(s => s.Count));
        for (var w = 1; w < windows.Count; w++)
            Assert.Equal(contextSpans[w - 1].TakeLast(4), contextSpans[w].Take(4));
        Assert.All(windows, w => Assert.Equal([2, 4, 5, 6, 3], w.InputIds.Take(5)));
        Assert.All(windows, w => Assert.Equal(3, w.InputIds[^1]));
        Assert.All(windows, w => Assert.Equal(w.TokenTypeIds.Skip(5), w.TokenTypeIds.Skip(5).Select(_ => 1)));
    }

    [Fact]
    public void Prepare_LongQuestion_IsCutToMaxQueryLength()
    {
        var windows = QaFeatures.Prepare(Tokenizer, "  what is what is what is ?", Context, max_seq_length: 32, doc_stride: 4, max_query_length: 3);
        Assert.Equal([2, 4, 5, 4, 3], windows[0].InputIds.Take(5));
    }

    [Fact]
    public void Postprocess_AnswerInSecondWindow_IsCutFromOriginalContext()
    {
        var windows = QaFeatures.Prepare(Tokenizer, "what is ?", Context, max_seq_length: 16, doc_stride: 4);
        var second = windows[1];
        var features = windows.Select(w => (w, w == second
            ? Logits(w, TokenIndexOf(w, "kappa"), TokenIndexOf(w, "mu"))
            : new WindowLogits(new float[w.Length], new float[w.Length]))).ToList();

        var predictions = QaPostProcessing.PostprocessQaPredictions(Context, features);

        Assert.Equal("kappa lambda mu", predictions[0].Text);
        Assert.Equal(Context.IndexOf("kappa", StringComparison.Ordinal), predictions[0].StartChar);
        Assert.Equal(20f, predictions[0].Score);
        Assert.Equal(1.0, predictions.Sum(p => p.Probability), 6);
    }

    [Fact]
    public void Postprocess_SameSpanInTwoOverlappingWindows_PoolsBothCandidates()
    {
        var windows = QaFeatures.Prepare(Tokenizer, "what is ?", Context, max_seq_length: 16, doc_stride: 4);
        // "theta iota" lies in the overlap of windows 0 and 1.
        var features = windows.Take(2).Select((w, i) => (w, Logits(w, TokenIndexOf(w, "theta"), TokenIndexOf(w, "iota"), value: 5 + i))).ToList();

        var predictions = QaPostProcessing.PostprocessQaPredictions(Context, features);

        Assert.Equal(["theta iota", "theta iota"], predictions.Take(2).Select(p => p.Text));
        Assert.Equal([12f, 10f], predictions.Take(2).Select(p => p.Score));
    }

    [Fact]
    public void Postprocess_SpanLongerThanMaxAnswerLength_IsSkipped()
    {
        var window = QaFeatures.Prepare(Tokenizer, "what is ?", Context)[0];
        var logits = Logits(window, TokenIndexOf(window, "alpha"), TokenIndexOf(window, "tau"));
        logits.EndLogits[TokenIndexOf(window, "gamma")] = 3;

        var predictions = QaPostProcessing.PostprocessQaPredictions(Context, [(window, logits)], max_answer_length: 5);

        Assert.Equal("alpha beta gamma", predictions[0].Text);
        Assert.DoesNotContain(predictions, p => p.Text.EndsWith("tau", StringComparison.Ordinal) && p.Text.StartsWith("alpha", StringComparison.Ordinal));
    }

    [Fact]
    public void Postprocess_BestLogitsOnQuestionTokens_AreIgnored()
    {
        var window = QaFeatures.Prepare(Tokenizer, "what is ?", Context)[0];
        var logits = Logits(window, 1, 2, value: 100); // "what is" in the question
        logits.StartLogits[TokenIndexOf(window, "delta")] = 1;
        logits.EndLogits[TokenIndexOf(window, "delta")] = 1;

        var predictions = QaPostProcessing.PostprocessQaPredictions(Context, [(window, logits)]);

        Assert.Equal("delta", predictions[0].Text);
        Assert.All(predictions, p => Assert.True(p.StartChar >= 0));
    }

    [Fact]
    public void Postprocess_EndBeforeStart_IsSkipped()
    {
        var window = QaFeatures.Prepare(Tokenizer, "what is ?", Context)[0];
        var logits = Logits(window, TokenIndexOf(window, "zeta"), TokenIndexOf(window, "beta"));

        var candidates = QaPostProcessing.CollectCandidates([(window, logits)]);

        Assert.DoesNotContain(candidates, c => c.EndChar <= c.StartChar);
    }

    [Fact]
    public void Postprocess_NoValidSpan_GivesHfEmptyPlaceholder()
    {
        var window = QaFeatures.Prepare(Tokenizer, "what is ?", "")[0];
        var predictions = QaPostProcessing.PostprocessQaPredictions("", [(window, new WindowLogits(new float[window.Length], new float[window.Length]))]);

        var only = Assert.Single(predictions);
        Assert.True(only.IsEmpty);
        Assert.Equal("empty", only.Text);
        Assert.Equal(1.0, only.Probability);
    }

    [Fact]
    public void Finalize_KeepsNBestSizeBestByScore_StableOnTies()
    {
        var candidates = Enumerable.Range(0, 30).Select(i => new SpanCandidate(i, i + 1, i % 3, 0, 0)).ToList();

        var predictions = QaPostProcessing.Finalize(candidates, _ => new string('x', 40), n_best_size: 20);

        Assert.Equal(20, predictions.Count);
        Assert.Equal([2, 5, 8, 11], predictions.Take(4).Select(p => p.StartChar));
    }

    [Theory]
    [InlineData("서울에서", "서울")]
    [InlineData("세종대왕은", "세종대왕")]
    [InlineData("1989년에", "1989년")]
    [InlineData("이", "이")]
    [InlineData("Seoul", "Seoul")]
    [InlineData("국립중앙박물관으로는", "국립중앙박물관")]
    public void KoreanParticles_Strip_RemovesOneTrailingParticle(string answer, string expected) =>
        Assert.Equal(expected, KoreanParticles.Strip(answer));
}
