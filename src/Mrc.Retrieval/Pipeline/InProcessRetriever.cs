using Mrc.Core.Pipeline;
using Mrc.Retrieval.Search;

namespace Mrc.Retrieval.Pipeline;

/// <summary>
/// The pipeline's retriever over an index opened in this process (`mrc predict --index`). It is that
/// one index: settings naming another (a RetrieverService's index name) are refused rather than
/// silently searched here.
/// </summary>
public sealed class InProcessRetriever(PassageSearcher searcher, int threads = 1) : IPassageRetriever
{
    public Task<IReadOnlyList<QuestionPassages>> RetrieveBatchAsync(
        IReadOnlyList<string> questions, RetrievalSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(questions);
        ArgumentNullException.ThrowIfNull(settings);
        if (!string.IsNullOrEmpty(settings.Index))
            throw new ArgumentException(
                $"An index opened in this process has no name; '{settings.Index}' names an index of a RetrieverService.", nameof(settings));
        var defaults = searcher.Defaults;
        var scoring = defaults with { K1 = settings.K1 ?? defaults.K1, B = settings.B ?? defaults.B };
        var results = new QuestionPassages[questions.Count];
        Parallel.For(0, questions.Count, new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellationToken }, i =>
        {
            try
            {
                results[i] = new QuestionPassages([.. searcher.Search(questions[i], settings.TopK, scoring).Hits.Select(h => h.ToRetrieved())]);
            }
            catch (QueryHasNoTermsException e)
            {
                results[i] = new QuestionPassages([], e.Message);
            }
        });
        return Task.FromResult<IReadOnlyList<QuestionPassages>>(results);
    }
}
