using Mrc.Core.Pipeline;
using Mrc.Reading.Tokenization;

namespace Mrc.Reading.Inference;

/// <summary>A passage to read and its retriever score.</summary>
public sealed record PassageInput(string Id, string Text, float RetrieverScore = 0);

/// <summary>Windowing limits (HF run_qa.py names: max_seq_length, doc_stride, max_query_length).</summary>
public sealed record WindowSettings(int MaxSeqLength = 384, int DocStride = 128, int MaxQueryLength = 64);

/// <summary>An answer: text cut from its passage, UTF-16 offsets into that passage's text.</summary>
public sealed record ReaderAnswer(string Text, float Score, double Probability, int PassageIndex, string PassageId, int StartChar, int EndChar);

/// <summary>
/// Reads a question against passages: windows (<see cref="QaFeatures"/>), logits (through the
/// <see cref="IWindowRunner"/>, batched with other requests or not), HF post-processing
/// (<see cref="QaPostProcessing"/>) over the candidates of all passages.
/// </summary>
/// <param name="pair">The windows' special tokens and token types: the tokenizer's when null.</param>
public sealed class ReaderEngine(IReaderTokenizer tokenizer, IWindowRunner runner, WindowSettings windows, PairTemplate? pair = null)
{
    /// <summary>Candidates pooled before softmax (HF n_best_size).</summary>
    public const int NBestSize = ReadSettings.MaxNBest;

    /// <summary>Joins passages in concat mode.</summary>
    public const string ConcatSeparator = " ";

    public IReaderTokenizer Tokenizer => tokenizer;

    public PairTemplate Pair { get; } = pair ?? tokenizer.Pair;

    public async Task<IReadOnlyList<ReaderAnswer>> ReadAsync(
        string question, IReadOnlyList<PassageInput> passages, ReadSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(passages);
        ArgumentNullException.ThrowIfNull(settings);
        var contexts = new List<string>();
        var passageStarts = new List<int>();
        if (settings.Mode == PassageMode.Concat)
        {
            var position = 0;
            foreach (var passage in passages)
            {
                passageStarts.Add(position);
                position += passage.Text.Length + ConcatSeparator.Length;
            }
            contexts.Add(string.Join(ConcatSeparator, passages.Select(p => p.Text)));
        }
        else
        {
            contexts.AddRange(passages.Select(p => p.Text));
        }

        var features = contexts
            .Select(c => QaFeatures.Prepare(tokenizer, question, c, windows.MaxSeqLength, windows.DocStride, windows.MaxQueryLength, Pair))
            .ToList();
        var all = features.SelectMany(f => f).ToList();
        var logits = await runner.RunAsync(all, cancellationToken).ConfigureAwait(false);

        var candidates = new List<SpanCandidate>();
        var next = 0;
        for (var c = 0; c < contexts.Count; c++)
        {
            var pairs = features[c].Select(f => (f, logits[next++])).ToList();
            foreach (var candidate in QaPostProcessing.CollectCandidates(pairs, NBestSize, settings.MaxAnswerLength))
            {
                if (settings.Mode == PassageMode.Separate)
                {
                    candidates.Add(candidate with
                    {
                        ContextIndex = c,
                        Score = candidate.Score + settings.RetrieverWeight * passages[c].RetrieverScore,
                    });
                    continue;
                }
                // Concat: keep spans inside one passage, with offsets into that passage.
                var p = passageStarts.FindLastIndex(s => s <= candidate.StartChar);
                if (p < 0 || candidate.EndChar > passageStarts[p] + passages[p].Text.Length) continue;
                candidates.Add(candidate with
                {
                    ContextIndex = p,
                    StartChar = candidate.StartChar - passageStarts[p],
                    EndChar = candidate.EndChar - passageStarts[p],
                });
            }
        }

        var predictions = QaPostProcessing.Finalize(candidates, i => passages[i].Text, NBestSize);
        var answers = new List<ReaderAnswer>();
        var seen = new HashSet<(int, int, int)>();
        foreach (var prediction in predictions)
        {
            if (prediction.IsEmpty) continue;
            var text = prediction.Text;
            var end = prediction.EndChar;
            if (settings.StripParticles)
            {
                var cut = KoreanParticles.TrailingParticleLength(text);
                text = text[..^cut];
                end -= cut;
            }
            // Overlapping windows find the same span twice; the best-scored copy stands for it.
            if (!seen.Add((prediction.ContextIndex, prediction.StartChar, end))) continue;
            answers.Add(new ReaderAnswer(text, prediction.Score, prediction.Probability, prediction.ContextIndex,
                passages[prediction.ContextIndex].Id, prediction.StartChar, end));
            if (answers.Count == settings.NBest) break;
        }
        return answers;
    }
}
