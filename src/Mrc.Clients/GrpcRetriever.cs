using Grpc.Core;
using Microsoft.Extensions.Logging;
using Mrc.Contracts.V1;
using Mrc.Core.Pipeline;

namespace Mrc.Clients;

/// <summary>
/// The pipeline's retriever over a RetrieverService: one RetrieveBatch call per batch of questions.
/// RetrieveBatch refuses a whole batch for one question it cannot search (InvalidArgument: no
/// searchable words, too long); then each question of that batch is asked alone, and the ones refused
/// get no passage and the service's reason instead of failing the others. Every call names the
/// settings' index (empty: the service's default); an index the service does not serve (NotFound)
/// fails the call with <see cref="IndexNotServedException"/>.
/// </summary>
public sealed class GrpcRetriever(Retriever.RetrieverClient client, CallPolicy policy, ILogger logger) : IPassageRetriever
{
    public async Task<IReadOnlyList<QuestionPassages>> RetrieveBatchAsync(
        IReadOnlyList<string> questions, RetrievalSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(questions);
        ArgumentNullException.ThrowIfNull(settings);
        var options = Options(settings);
        var request = new RetrieveBatchRequest { TopK = settings.TopK, Options = options, Index = settings.Index ?? "" };
        request.Queries.AddRange(questions);
        RetrieveBatchResponse response;
        try
        {
            response = await GrpcCall.RunAsync("Retriever.RetrieveBatch", policy,
                deadline => client.RetrieveBatchAsync(request, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync,
                logger, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.InvalidArgument && questions.Count > 1)
        {
            var one = new List<QuestionPassages>(questions.Count);
            foreach (var question in questions) one.Add(await RetrieveOneAsync(question, settings, options, cancellationToken).ConfigureAwait(false));
            return one;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.InvalidArgument)
        {
            return [new QuestionPassages([], e.Status.Detail)];
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            throw new IndexNotServedException(settings.Index ?? "", e);
        }
        if (response.Results.Count != questions.Count)
            throw new InvalidOperationException($"Retriever.RetrieveBatch answered {response.Results.Count} results for {questions.Count} queries.");
        return [.. response.Results.Select(ToPassages)];
    }

    async Task<QuestionPassages> RetrieveOneAsync(string question, RetrievalSettings settings, RetrieveOptions options, CancellationToken cancellationToken)
    {
        var request = new RetrieveRequest { Query = question, TopK = settings.TopK, Options = options, Index = settings.Index ?? "" };
        try
        {
            return ToPassages(await GrpcCall.RunAsync("Retriever.Retrieve", policy,
                deadline => client.RetrieveAsync(request, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync,
                logger, cancellationToken).ConfigureAwait(false));
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.InvalidArgument)
        {
            return new QuestionPassages([], e.Status.Detail);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            throw new IndexNotServedException(settings.Index ?? "", e);
        }
    }

    static RetrieveOptions Options(RetrievalSettings settings)
    {
        var options = new RetrieveOptions();
        if (settings.K1 is { } k1) options.K1 = k1;
        if (settings.B is { } b) options.B = b;
        return options;
    }

    static QuestionPassages ToPassages(RetrieveResponse response) => new([.. response.Passages.Select(p =>
        new RetrievedPassage(p.Id, p.DocumentId, p.Title, p.Text, p.Score, p.Rank, p.StartChar, p.EndChar))]);
}

/// <summary>
/// The retriever does not serve the index a search named (NotFound): removed from its configuration,
/// or never there. <see cref="Exception.Message"/> is the service's, which lists the names it serves.
/// </summary>
public sealed class IndexNotServedException(string index, RpcException inner) : Exception(inner.Status.Detail, inner)
{
    /// <summary>The index asked for; empty for the service's default.</summary>
    public string Index { get; } = index;
}
