using Mrc.Reading.Tokenization;

namespace Mrc.Reading.Inference;

// Parameter names are Hugging Face's (max_seq_length, doc_stride, n_best_size, ...) on purpose.
#pragma warning disable CA1707

/// <summary>
/// One model input window: <c>[CLS] question [SEP] context-part [SEP]</c> (RoBERTa family:
/// <c>&lt;s&gt; question &lt;/s&gt;&lt;/s&gt; context-part &lt;/s&gt;</c>), unpadded. Offsets are the context spans of
/// the context tokens and null for every other position (HF run_qa.py sets them to None).
/// </summary>
public sealed record FeatureWindow(int[] InputIds, int[] TokenTypeIds, TokenSpan?[] OffsetMapping)
{
    public int Length => InputIds.Length;
}

/// <summary>
/// Question–context windows as HF <c>run_qa.py</c>'s <c>prepare_validation_features</c> builds
/// them: question first, <c>truncation="only_second"</c>, <c>max_length</c>, <c>stride</c> tokens of
/// overlap between consecutive windows, offsets only for context tokens. The special tokens and token
/// types come from the tokenizer's <see cref="PairTemplate"/> (or the one given).
/// </summary>
public static class QaFeatures
{
    /// <param name="max_seq_length">Longest window in tokens, special tokens included (HF default 384).</param>
    /// <param name="doc_stride">Context tokens shared by consecutive windows (HF default 128).</param>
    /// <param name="max_query_length">Question tokens kept (the rest are cut, as in run_squad.py; default 64).</param>
    /// <param name="template">The pair's special tokens and token types; the tokenizer's when null.</param>
    public static IReadOnlyList<FeatureWindow> Prepare(
        IReaderTokenizer tokenizer,
        string question,
        string context,
        int max_seq_length = 384,
        int doc_stride = 128,
        int max_query_length = 64,
        PairTemplate? template = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        var pair = template ?? tokenizer.Pair;
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(context);
        // run_qa.py strips the question's leading whitespace (some questions have lots of it).
        var questionTokens = tokenizer.Encode(question.TrimStart()).Ids;
        if (questionTokens.Length > max_query_length) questionTokens = questionTokens[..max_query_length];
        var contextTokens = tokenizer.Encode(context);

        var available = max_seq_length - questionTokens.Length - pair.SpecialTokenCount;
        if (available <= doc_stride)
            throw new ArgumentException(
                $"max_seq_length {max_seq_length} leaves {available} context tokens after a {questionTokens.Length}-token question; doc_stride {doc_stride} must be smaller.");

        var windows = new List<FeatureWindow>();
        var total = contextTokens.Ids.Length;
        for (var start = 0; ; start += available - doc_stride)
        {
            var stop = Math.Min(start + available, total);
            windows.Add(Build(pair, questionTokens, contextTokens, start, stop));
            if (stop >= total) break;
        }
        return windows;
    }

    static FeatureWindow Build(PairTemplate pair, int[] question, TokenizedText context, int start, int stop)
    {
        var length = question.Length + (stop - start) + pair.SpecialTokenCount;
        var ids = new int[length];
        var types = new int[length];
        var offsets = new TokenSpan?[length];
        var k = 0;
        ids[k++] = pair.StartId;
        foreach (var id in question) ids[k++] = id;
        for (var s = 0; s < pair.SeparatorsBetween; s++) ids[k++] = pair.SeparatorId;
        for (var i = start; i < stop; i++)
        {
            types[k] = pair.SecondTypeId;
            offsets[k] = context.Offsets[i];
            ids[k++] = context.Ids[i];
        }
        types[k] = pair.SecondTypeId;
        ids[k] = pair.SeparatorId;
        return new FeatureWindow(ids, types, offsets);
    }
}
