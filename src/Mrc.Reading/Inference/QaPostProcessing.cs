namespace Mrc.Reading.Inference;

// Parameter names are Hugging Face's (max_seq_length, doc_stride, n_best_size, ...) on purpose.
#pragma warning disable CA1707

/// <summary>A window's logits: one start and one end logit per token.</summary>
public sealed record WindowLogits(float[] StartLogits, float[] EndLogits);

/// <summary>A candidate answer span: character offsets into its context and its scores.</summary>
public sealed record SpanCandidate(int StartChar, int EndChar, float Score, float StartLogit, float EndLogit)
{
    /// <summary>Which context (passage) it came from, for several contexts; 0 for one.</summary>
    public int ContextIndex { get; init; }
}

/// <summary>A final prediction: text cut from the original context, score and softmax probability.</summary>
public sealed record QaPrediction(string Text, int StartChar, int EndChar, float Score, float StartLogit, float EndLogit, double Probability, int ContextIndex)
{
    /// <summary>HF's placeholder when no valid span exists ({"text": "empty"} with zero scores).</summary>
    public bool IsEmpty => StartChar < 0;
}

/// <summary>
/// HF <c>utils_qa.postprocess_qa_predictions</c> (SQuAD v1, no null answer) as pure functions with
/// HF's parameter names and defaults.
/// </summary>
public static class QaPostProcessing
{
    /// <summary>
    /// All valid (start, end) pairs among each window's <paramref name="n_best_size"/> best start and end
    /// logits: both inside the context (offsets present), end ≥ start, at most
    /// <paramref name="max_answer_length"/> tokens; score = start logit + end logit.
    /// Candidates of every window are pooled (in window order, as HF appends them).
    /// </summary>
    public static List<SpanCandidate> CollectCandidates(
        IReadOnlyList<(FeatureWindow Feature, WindowLogits Logits)> features,
        int n_best_size = 20,
        int max_answer_length = 30)
    {
        ArgumentNullException.ThrowIfNull(features);
        var candidates = new List<SpanCandidate>();
        foreach (var (feature, logits) in features)
        {
            var offsets = feature.OffsetMapping;
            var startIndexes = TopIndexes(logits.StartLogits, n_best_size);
            var endIndexes = TopIndexes(logits.EndLogits, n_best_size);
            foreach (var start in startIndexes)
            {
                foreach (var end in endIndexes)
                {
                    if (start >= offsets.Length || end >= offsets.Length) continue;
                    if (offsets[start] is not { } startSpan || offsets[end] is not { } endSpan) continue;
                    if (end < start || end - start + 1 > max_answer_length) continue;
                    var score = logits.StartLogits[start] + logits.EndLogits[end];
                    candidates.Add(new SpanCandidate(startSpan.Start, endSpan.End, score, logits.StartLogits[start], logits.EndLogits[end]));
                }
            }
        }
        return candidates;
    }

    /// <summary>
    /// The <paramref name="n_best_size"/> best candidates by score (stable, like Python's sorted), text cut
    /// from the original context, softmax over their scores; HF's "empty" placeholder when there is none.
    /// </summary>
    public static List<QaPrediction> Finalize(
        IReadOnlyList<SpanCandidate> candidates,
        Func<int, string> contextOf,
        int n_best_size = 20)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(contextOf);
        var best = candidates.OrderByDescending(c => c.Score).Take(n_best_size).ToList();
        var predictions = best
            .Select(c => new QaPrediction(
                contextOf(c.ContextIndex)[c.StartChar..c.EndChar], c.StartChar, c.EndChar, c.Score, c.StartLogit, c.EndLogit, 0, c.ContextIndex))
            .ToList();
        if (predictions.Count == 0 || (predictions.Count == 1 && predictions[0].Text.Length == 0))
            predictions.Insert(0, new QaPrediction("empty", -1, -1, 0, 0, 0, 0, -1));

        var max = predictions.Max(p => (double)p.Score);
        var exps = predictions.Select(p => Math.Exp(p.Score - max)).ToArray();
        var sum = exps.Sum();
        return [.. predictions.Select((p, i) => p with { Probability = exps[i] / sum })];
    }

    /// <summary>Candidates of one context, then <see cref="Finalize"/>: the whole of HF's function for one example.</summary>
    public static List<QaPrediction> PostprocessQaPredictions(
        string context,
        IReadOnlyList<(FeatureWindow Feature, WindowLogits Logits)> features,
        int n_best_size = 20,
        int max_answer_length = 30) =>
        Finalize(CollectCandidates(features, n_best_size, max_answer_length), _ => context, n_best_size);

    /// <summary><c>np.argsort(x)[-1 : -n - 1 : -1]</c>: indexes of the n largest values, largest first.</summary>
    static int[] TopIndexes(float[] values, int n)
    {
        var indexes = new int[values.Length];
        for (var i = 0; i < indexes.Length; i++) indexes[i] = i;
        return [.. indexes.OrderByDescending(i => values[i]).ThenByDescending(i => i).Take(n)];
    }
}
