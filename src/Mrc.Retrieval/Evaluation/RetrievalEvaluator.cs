using System.Diagnostics;
using Mrc.Core.Data;
using Mrc.Core.Pipeline;
using Mrc.Retrieval.Search;

namespace Mrc.Retrieval.Evaluation;

/// <summary>Recall@k, MRR and single-thread speed of a retriever on questions with gold paragraphs.</summary>
public sealed record RetrievalReport(
    int Questions,
    int Skipped,
    IReadOnlyDictionary<int, double> RecallAtK,
    double Mrr,
    int MrrDepth,
    double Seconds,
    double QueriesPerSecond);

/// <summary>
/// Scores retrieval against SQuAD/KorQuAD gold answers with the one rule of a hit,
/// <see cref="RetrievalHits"/> (the leaderboard's recall uses the same). Recall@k is the share of
/// questions with a hit in the top k; MRR is the mean of 1/rank of the first hit within the deepest k
/// (0 when none).
/// </summary>
public static class RetrievalEvaluator
{
    public static RetrievalReport Evaluate(
        PassageSearcher searcher, IReadOnlyList<QuestionExample> questions, IReadOnlyList<int> ks,
        ScoringSettings? scoring = null, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(searcher);
        ArgumentNullException.ThrowIfNull(questions);
        ArgumentNullException.ThrowIfNull(ks);
        if (ks.Count == 0 || ks.Any(k => k <= 0)) throw new ArgumentException("Give at least one k, each a positive number.", nameof(ks));
        int depth = ks.Max();
        var judged = questions.Where(q => q.Context is not null && q.Answers.Count > 0).ToList();
        if (judged.Count == 0)
            throw new ArgumentException("No question has a gold paragraph and answer to judge retrieval by: use a SQuAD/KorQuAD file or JSONL with context and answers.");

        var hitsAtK = new int[ks.Count];
        double reciprocalRanks = 0;
        var clock = new Stopwatch();
        for (int i = 0; i < judged.Count; i++)
        {
            var question = judged[i];
            clock.Start();
            IReadOnlyList<SearchHit> hits;
            try
            {
                hits = searcher.Search(question.Question, depth, scoring).Hits;
            }
            catch (QueryHasNoTermsException)
            {
                hits = [];
            }
            clock.Stop();

            int rank = FirstHitRank(hits, question);
            if (rank > 0)
            {
                reciprocalRanks += 1.0 / rank;
                for (int j = 0; j < ks.Count; j++)
                    if (rank <= ks[j]) hitsAtK[j]++;
            }
            if ((i + 1) % 500 == 0) progress?.Report(i + 1);
        }

        var recall = new SortedDictionary<int, double>();
        for (int j = 0; j < ks.Count; j++) recall[ks[j]] = (double)hitsAtK[j] / judged.Count;
        double seconds = clock.Elapsed.TotalSeconds;
        return new RetrievalReport(judged.Count, questions.Count - judged.Count, recall, reciprocalRanks / judged.Count, depth,
            seconds, seconds > 0 ? judged.Count / seconds : 0);
    }

    /// <summary>The 1-based rank of the first hit for <paramref name="question"/>, or 0 when none is a hit.</summary>
    public static int FirstHitRank(IReadOnlyList<SearchHit> hits, QuestionExample question)
    {
        ArgumentNullException.ThrowIfNull(hits);
        return RetrievalHits.FirstHitRank([.. hits.Select(h => h.ToRetrieved())], question);
    }
}
