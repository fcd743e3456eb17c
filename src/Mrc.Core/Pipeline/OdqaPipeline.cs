using Mrc.Core.Data;
using Mrc.Core.Metrics;

namespace Mrc.Core.Pipeline;

/// <summary>How a set of questions goes through the pipeline.</summary>
/// <param name="Read">Decoding settings of every read (validated before the first question).</param>
/// <param name="Retrieval">Retrieval settings, or null to read each question's own gold paragraph.</param>
/// <param name="BatchSize">Questions retrieved in one batch call.</param>
/// <param name="ReadParallelism">Reads in flight at once (the reader batches concurrent reads).</param>
public sealed record PipelineSettings(ReadSettings Read, RetrievalSettings? Retrieval, int BatchSize = 16, int ReadParallelism = 4);

/// <summary>
/// What the pipeline made of one question: the passages read, the reader's n-best, the retrieval hit
/// (null when the gold paragraph was read instead of retrieving), the official per-question scores,
/// and, when it got no answer, why (<see cref="Problem"/>; such a question counts as wrong).
/// </summary>
public sealed record QuestionOutcome(
    QuestionExample Question,
    IReadOnlyList<RetrievedPassage> Passages,
    ReaderOutput Reading,
    int? RetrievalHitRank,
    double ExactMatch,
    double F1,
    string? Problem = null)
{
    public string Answer => Reading.BestAnswer;

    public bool? RetrievalHit => RetrievalHitRank is { } rank ? rank > 0 : null;

    public RetrievalRule? RetrievalRule => RetrievalHitRank is null ? null : RetrievalHits.RuleFor(Question);
}

/// <summary>
/// Open-domain QA, defined once: retrieve → read → n-best → retrieval hit and score, for `mrc predict`
/// (in-process retriever and reader) and the leaderboard's evaluation jobs (both over gRPC).
/// Questions go in batches to the retriever; their reads run concurrently so that the reader can
/// batch them; each outcome is handed over as soon as it is known, so a caller can store it at once.
/// </summary>
public sealed class OdqaPipeline(IPassageRetriever? retriever, IPassageReader reader)
{
    public async Task RunAsync(
        IReadOnlyList<QuestionExample> questions,
        PipelineSettings settings,
        Func<QuestionOutcome, CancellationToken, ValueTask> onOutcome,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(questions);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(onOutcome);
        settings.Read.Validate();
        if (settings.BatchSize < 1 || settings.ReadParallelism < 1)
            throw new ArgumentException("batch size and read parallelism must be ≥ 1.", nameof(settings));
        if (settings.Retrieval is not null && retriever is null)
            throw new ArgumentException("retrieval settings were given, but the pipeline has no retriever.", nameof(settings));

        foreach (var batch in questions.Chunk(settings.BatchSize))
        {
            var passages = settings.Retrieval is { } retrieval
                ? await retriever!.RetrieveBatchAsync([.. batch.Select(q => q.Question)], retrieval, cancellationToken).ConfigureAwait(false)
                : [.. batch.Select(q => new QuestionPassages(GoldParagraph(q)))];
            if (passages.Count != batch.Length)
                throw new InvalidOperationException($"the retriever answered {passages.Count} results for {batch.Length} questions.");

            await Parallel.ForEachAsync(
                Enumerable.Range(0, batch.Length),
                new ParallelOptions { MaxDegreeOfParallelism = settings.ReadParallelism, CancellationToken = cancellationToken },
                async (i, token) =>
                {
                    var outcome = await AnswerAsync(batch[i], passages[i], settings, token).ConfigureAwait(false);
                    await onOutcome(outcome, token).ConfigureAwait(false);
                }).ConfigureAwait(false);
        }
    }

    async Task<QuestionOutcome> AnswerAsync(
        QuestionExample question, QuestionPassages retrieved, PipelineSettings settings, CancellationToken cancellationToken)
    {
        var passages = retrieved.Passages;
        var problem = retrieved.Problem ?? (passages.Count == 0
            ? settings.Retrieval is null ? "the question has no paragraph to read." : "the retriever found no passage for the question."
            : null);
        var reading = new ReaderOutput("", "", []);
        if (passages.Count > 0)
        {
            try
            {
                reading = await reader.ReadAsync(question.Question, passages, settings.Read, cancellationToken).ConfigureAwait(false);
            }
            catch (QuestionRefusedException e)
            {
                problem = e.Message;
            }
        }
        int? hitRank = settings.Retrieval is null ? null : RetrievalHits.FirstHitRank(passages, question);
        var gold = question.Answers.Select(a => a.Text).ToList();
        var (exactMatch, f1) = gold.Count == 0
            ? (0.0, 0.0)
            : (100 * KorQuadMetrics.MaxExactMatch(reading.BestAnswer, gold), 100 * KorQuadMetrics.MaxF1(reading.BestAnswer, gold));
        return new QuestionOutcome(question, passages, reading, hitRank, exactMatch, f1, problem);
    }

    /// <summary>The question's own paragraph as its only passage (none when it has no paragraph).</summary>
    static IReadOnlyList<RetrievedPassage> GoldParagraph(QuestionExample question) =>
        string.IsNullOrEmpty(question.Context)
            ? []
            : [new RetrievedPassage(question.Id, question.Id, question.Title ?? "", question.Context, 0, 1, 0, question.Context.Length)];
}
