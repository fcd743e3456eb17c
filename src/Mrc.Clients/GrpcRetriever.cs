using Microsoft.Extensions.Logging;
using Mrc.Contracts.V1;
using Mrc.Core.Pipeline;

namespace Mrc.Clients;

/// <summary>The pipeline's retriever over a RetrieverService: one RetrieveBatch call per batch of questions.</summary>
public sealed class GrpcRetriever(Retriever.RetrieverClient client, CallPolicy policy, ILogger logger) : IPassageRetriever
{
    public async Task<IReadOnlyList<IReadOnlyList<RetrievedPassage>>> RetrieveBatchAsync(
        IReadOnlyList<string> questions, RetrievalSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(questions);
        ArgumentNullException.ThrowIfNull(settings);
        var request = new RetrieveBatchRequest { TopK = settings.TopK, Options = new RetrieveOptions() };
        request.Queries.AddRange(questions);
        if (settings.K1 is { } k1) request.Options.K1 = k1;
        if (settings.B is { } b) request.Options.B = b;
        var response = await GrpcCall.RunAsync("Retriever.RetrieveBatch", policy,
            deadline => client.RetrieveBatchAsync(request, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync,
            logger, cancellationToken).ConfigureAwait(false);
        if (response.Results.Count != questions.Count)
            throw new InvalidOperationException($"Retriever.RetrieveBatch answered {response.Results.Count} results for {questions.Count} queries.");
        return [.. response.Results.Select(r => (IReadOnlyList<RetrievedPassage>)[.. r.Passages.Select(p =>
            new RetrievedPassage(p.Id, p.DocumentId, p.Title, p.Text, p.Score, p.Rank, p.StartChar, p.EndChar))])];
    }
}
