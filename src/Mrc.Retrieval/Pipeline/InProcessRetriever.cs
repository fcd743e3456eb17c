using Mrc.Core.Pipeline;
using Mrc.Retrieval.Search;

namespace Mrc.Retrieval.Pipeline;

/// <summary>The pipeline's retriever over an index opened in this process (`mrc predict --index`).</summary>
public sealed class InProcessRetriever(PassageSearcher searcher, int threads = 1) : IPassageRetriever
{
    public Task<IReadOnlyList<IReadOnlyList<RetrievedPassage>>> RetrieveBatchAsync(
        IReadOnlyList<string> questions, RetrievalSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(questions);
        ArgumentNullException.ThrowIfNull(settings);
        var defaults = searcher.Defaults;
        var scoring = defaults with { K1 = settings.K1 ?? defaults.K1, B = settings.B ?? defaults.B };
        var results = new IReadOnlyList<RetrievedPassage>[questions.Count];
        Parallel.For(0, questions.Count, new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellationToken }, i =>
        {
            try
            {
                results[i] = [.. searcher.Search(questions[i], settings.TopK, scoring).Hits.Select(h => h.ToRetrieved())];
            }
            catch (QueryHasNoTermsException)
            {
                results[i] = [];
            }
        });
        return Task.FromResult<IReadOnlyList<IReadOnlyList<RetrievedPassage>>>(results);
    }
}
