using Grpc.Core;
using Leaderboard.Web.Data;
using Leaderboard.Web.Domain;
using Microsoft.Extensions.Options;
using Mrc.Contracts.V1;

namespace Leaderboard.Web.Evaluation;

/// <summary>A reader model version the server can run.</summary>
public sealed record ModelChoice(string Name, string Version, string Architecture, bool IsDefault, string Description, string LoadError);

/// <summary>A service stayed unavailable through every retry; the job fails with this message.</summary>
public sealed class ServiceUnavailableException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// The worker's typed view of RetrieverService and ReaderService. Every call has a deadline and the
/// caller's cancellation token; Unavailable (and DeadlineExceeded) are retried with exponential backoff.
/// </summary>
public sealed class PipelineClient(
    Retriever.RetrieverClient retriever,
    Reader.ReaderClient reader,
    IOptions<EvaluationOptions> options,
    ILogger<PipelineClient> logger)
{
    EvaluationOptions Options => options.Value;

    public async Task<IReadOnlyList<ModelChoice>> ListModelsAsync(CancellationToken cancellationToken)
    {
        var response = await CallAsync("Reader.ListModels", Options.ListModelsTimeoutSeconds,
            deadline => reader.ListModelsAsync(new ListModelsRequest(), deadline: deadline, cancellationToken: cancellationToken).ResponseAsync, cancellationToken);
        return response.Models
            .Select(m => new ModelChoice(m.Name, m.Version, m.Architecture, m.IsDefault, m.Description, m.LoadError))
            .ToList();
    }

    public async Task<IReadOnlyList<RetrieveResponse>> RetrieveBatchAsync(
        IReadOnlyList<string> queries, int topK, float? k1, float? b, CancellationToken cancellationToken)
    {
        var request = new RetrieveBatchRequest { TopK = topK, Options = new RetrieveOptions() };
        request.Queries.AddRange(queries);
        if (k1 is { } k) request.Options.K1 = k;
        if (b is { } bValue) request.Options.B = bValue;
        var response = await CallAsync("Retriever.RetrieveBatch", Options.RetrieveTimeoutSeconds,
            deadline => retriever.RetrieveBatchAsync(request, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync, cancellationToken);
        if (response.Results.Count != queries.Count)
            throw new InvalidOperationException(
                $"Retriever.RetrieveBatch answered {response.Results.Count} results for {queries.Count} queries.");
        return response.Results;
    }

    public Task<ReadResponse> ReadAsync(string question, IEnumerable<Passage> passages, Data.Submission run, CancellationToken cancellationToken)
    {
        var request = new ReadRequest
        {
            Question = question,
            Model = run.Model,
            Version = run.Version,
            Options = new ReadOptions
            {
                Mode = run.ReadMode == RunMode.Concat ? ReadMode.Concat : ReadMode.Separate,
                NBest = Options.NBest,
                RetrieverWeight = run.RetrieverWeight,
            },
        };
        request.Passages.AddRange(passages.Select(p => new ReadPassage { Id = p.Id, Title = p.Title, Text = p.Text, RetrieverScore = p.Score }));
        return CallAsync("Reader.Read", Options.ReadTimeoutSeconds,
            deadline => reader.ReadAsync(request, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync, cancellationToken);
    }

    async Task<T> CallAsync<T>(string what, double timeoutSeconds, Func<DateTime, Task<T>> call, CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromSeconds(Options.InitialBackoffSeconds);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await call(DateTime.UtcNow.AddSeconds(timeoutSeconds));
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded
                                         && !cancellationToken.IsCancellationRequested)
            {
                if (attempt >= Options.MaxAttempts)
                    throw new ServiceUnavailableException(
                        $"{what} failed after {attempt} attempts: {e.StatusCode}: {e.Status.Detail}", e);
                Log.Retrying(logger, what, e.StatusCode, attempt, Options.MaxAttempts, backoff);
                await Task.Delay(backoff, cancellationToken);
                backoff *= 2;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
        }
    }

    /// <summary>Resolves "latest"/empty to the highest version of the model; unknown names or versions are refused.</summary>
    public static ModelChoice Resolve(IReadOnlyList<ModelChoice> models, string model, string? version)
    {
        var versions = models.Where(m => string.Equals(m.Name, model, StringComparison.Ordinal)).ToList();
        if (versions.Count == 0)
            throw new LeaderboardException(LeaderboardError.InvalidArgument,
                $"Unknown model \"{model}\". Available: {string.Join(", ", models.Select(m => m.Name).Distinct())}.");
        if (string.IsNullOrWhiteSpace(version) || version == "latest")
            return versions.OrderByDescending(m => m.Version, VersionComparer.Instance).First();
        return versions.FirstOrDefault(m => m.Version == version)
            ?? throw new LeaderboardException(LeaderboardError.InvalidArgument,
                $"Model \"{model}\" has no version \"{version}\". Available: {string.Join(", ", versions.Select(v => v.Version))}.");
    }

    /// <summary>Orders "v2" &lt; "v10" and "1.2" &lt; "1.10"; anything else ordinally.</summary>
    sealed class VersionComparer : IComparer<string>
    {
        public static readonly VersionComparer Instance = new();

        public int Compare(string? x, string? y)
        {
            if (System.Version.TryParse(Numeric(x), out var a) && System.Version.TryParse(Numeric(y), out var b)) return a.CompareTo(b);
            if (int.TryParse(Numeric(x), out var i) && int.TryParse(Numeric(y), out var j)) return i.CompareTo(j);
            return string.CompareOrdinal(x, y);
        }

        static string Numeric(string? value) => (value ?? "").TrimStart('v', 'V');
    }
}
