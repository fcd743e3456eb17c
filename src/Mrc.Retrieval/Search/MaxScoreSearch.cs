using Lucene.Net.Index;
using Lucene.Net.Search;

namespace Mrc.Retrieval.Search;

/// <summary>
/// The top k of a flat BM25 query of SHOULD term clauses (what <see cref="Analysis.QueryBuilder"/>
/// makes) by MaxScore (Turtle and Flood, 1995), the same passages Lucene's exhaustive search finds
/// without scoring every passage that shares a syllable with the question.
/// <para>
/// Why: Lucene.Net 4.8 scores every document matching any clause (Lucene 8 skips blocks by
/// block-max WAND), and a question's single-syllable tokens occur in most passages of a large
/// corpus, so at a million passages a search took 134 ms on one thread where Java Lucene 8 took 9
/// (docs/retrieval.md, "At corpus scale").
/// </para>
/// <para>
/// How: a BM25 clause never scores above its weight × (k1 + 1), its weight being idf × boost. The
/// clauses are ordered by that bound; once the k-th best score so far, θ, reaches the sum of the
/// smallest bounds, those clauses alone cannot lift a passage above θ, so passages are drawn only
/// from the other clauses' postings, and the small clauses are only advanced to a drawn passage
/// while its score plus their remaining bounds can still pass θ. Ties are broken as Lucene's
/// collector breaks them (the lower document first), so results equal the exhaustive search's up
/// to the rounding of float sums taken in another order. Total hits are those passages that were
/// scored, a lower bound of the passages matching a token.
/// </para>
/// </summary>
public static class MaxScoreSearch
{
    /// <summary>Whether <paramref name="query"/> under <paramref name="scoring"/> has the shape this search is exact for.</summary>
    public static bool Applies(BooleanQuery query, ScoringSettings scoring)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(scoring);
        // TF-IDF multiplies by a coord factor that a partial sum cannot bound.
        if (scoring.Similarity != SimilarityKind.Bm25 || query.Boost != 1f) return false;
        foreach (var clause in query.Clauses)
            if (clause.Occur != Occur.SHOULD || clause.Query is not TermQuery term || term.Boost <= 0) return false;
        return query.Clauses.Count > 0;
    }

    /// <summary>The top <paramref name="k"/> of <paramref name="query"/> (see <see cref="Applies"/>); best first, ties by document.</summary>
    public static TopDocs Search(IndexSearcher searcher, BooleanQuery query, ScoringSettings scoring, int k)
    {
        ArgumentNullException.ThrowIfNull(searcher);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        if (!Applies(query, scoring)) throw new ArgumentException("MaxScore needs a BM25 query of SHOULD term clauses with positive boosts.", nameof(query));
        var weights = new List<(Weight Weight, float Bound)>(query.Clauses.Count);
        foreach (var clause in query.Clauses)
        {
            var weight = searcher.CreateNormalizedWeight(clause.Query);
            // For BM25 the value for normalization is (idf × boost)², the clause's weight squared;
            // the query norm is 1. The margin covers float rounding of the bound itself.
            float bound = (float)(Math.Sqrt(weight.GetValueForNormalization()) * (scoring.K1 + 1) * (1 + 1e-5));
            weights.Add((weight, bound));
        }
        weights.Sort((a, b) => a.Bound.CompareTo(b.Bound));

        var best = new TopK(k);
        long scored = 0;
        foreach (var leaf in searcher.IndexReader.Leaves)
            scored += SearchLeaf(leaf, weights, best);
        return best.ToTopDocs(scored);
    }

    static long SearchLeaf(AtomicReaderContext leaf, List<(Weight Weight, float Bound)> weights, TopK best)
    {
        var scorers = new List<Scorer>(weights.Count);
        var bounds = new List<double>(weights.Count);
        foreach (var (weight, bound) in weights)
        {
            var scorer = weight.GetScorer(leaf, leaf.AtomicReader.LiveDocs);
            if (scorer is null || scorer.NextDoc() == DocIdSetIterator.NO_MORE_DOCS) continue;
            scorers.Add(scorer);
            bounds.Add(bound);
        }
        int n = scorers.Count;
        if (n == 0) return 0;
        // upTo[i]: the most clauses 0..i-1 together can add.
        var upTo = new double[n + 1];
        for (int i = 0; i < n; i++) upTo[i + 1] = upTo[i] + bounds[i];

        int essential = FirstEssential(upTo, best.Threshold, 0);
        long scored = 0;
        while (essential < n)
        {
            int doc = DocIdSetIterator.NO_MORE_DOCS;
            for (int i = essential; i < n; i++) doc = Math.Min(doc, scorers[i].DocID);
            if (doc == DocIdSetIterator.NO_MORE_DOCS) break;

            double score = 0;
            for (int i = essential; i < n; i++)
            {
                var scorer = scorers[i];
                if (scorer.DocID != doc) continue;
                score += scorer.GetScore();
                scorer.NextDoc();
            }
            float threshold = best.Threshold;
            for (int j = essential - 1; j >= 0; j--)
            {
                if (best.IsFull && score + upTo[j + 1] <= threshold) break;
                var scorer = scorers[j];
                if (scorer.DocID < doc) scorer.Advance(doc);
                if (scorer.DocID == doc) score += scorer.GetScore();
            }
            scored++;
            if (best.Offer(leaf.DocBase + doc, (float)score))
                essential = FirstEssential(upTo, best.Threshold, essential);
        }
        return scored;
    }

    /// <summary>The first clause whose postings must still be walked: clauses before it sum to at most θ.</summary>
    static int FirstEssential(double[] upTo, float threshold, int from)
    {
        if (float.IsNegativeInfinity(threshold)) return from;
        int e = from;
        while (e + 1 < upTo.Length && upTo[e + 1] <= threshold) e++;
        return e;
    }

    /// <summary>The k best (score, document) so far, kept as Lucene's TopScoreDocCollector keeps them for documents in order.</summary>
    sealed class TopK(int k)
    {
        // Worst first: the lowest score, and of equal scores the higher document, which loses the tie.
        readonly PriorityQueue<ScoreDoc, (float Score, int NegDoc)> queue = new();

        public bool IsFull => queue.Count == k;

        /// <summary>The score a document must exceed to enter (−∞ while fewer than k are held).</summary>
        public float Threshold => IsFull && queue.TryPeek(out _, out var worst) ? worst.Score : float.NegativeInfinity;

        /// <summary>Keeps the document if it is among the k best; documents come in increasing order, so a tie keeps the earlier.</summary>
        public bool Offer(int doc, float score)
        {
            if (!IsFull)
            {
                queue.Enqueue(new ScoreDoc(doc, score), (score, -doc));
                return IsFull;
            }
            if (score <= Threshold) return false;
            queue.EnqueueDequeue(new ScoreDoc(doc, score), (score, -doc));
            return true;
        }

        public TopDocs ToTopDocs(long totalHits)
        {
            var hits = new ScoreDoc[queue.Count];
            for (int i = hits.Length - 1; i >= 0; i--) hits[i] = queue.Dequeue();
            return new TopDocs((int)Math.Min(totalHits, int.MaxValue), hits, hits.Length == 0 ? float.NaN : hits[0].Score);
        }
    }
}
