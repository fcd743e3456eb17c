using Microsoft.Extensions.Options;
using Mrc.Clients;
using Mrc.Contracts.V1;
using Mrc.Core.Data;
using Mrc.Core.Pipeline;
using Mrc.Leaderboard.Data;
using Mrc.Leaderboard.Domain;

namespace Mrc.Leaderboard.Evaluation;

/// <summary>A reader model version the server can run.</summary>
public sealed record ModelChoice(string Name, string Version, string Architecture, bool IsDefault, string Description, string LoadError);

/// <summary>
/// The leaderboard's view of RetrieverService and ReaderService: the model versions the reader serves,
/// the indexes the retriever serves, and for a model run the one <see cref="OdqaPipeline"/> over gRPC (<see cref="GrpcRetriever"/>,
/// <see cref="GrpcReader"/>) with the deadlines and retries of the Evaluation section.
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
        var response = await GrpcCall.RunAsync("Reader.ListModels", Policy(Options.ListModelsTimeoutSeconds),
            deadline => reader.ListModelsAsync(new ListModelsRequest(), deadline: deadline, cancellationToken: cancellationToken).ResponseAsync,
            logger, cancellationToken);
        return [.. response.Models.Select(m => new ModelChoice(m.Name, m.Version, m.Architecture, m.IsDefault, m.Description, m.LoadError))];
    }

    /// <summary>The names of the indexes the retriever serves, its default one first (Retriever.ListIndexes).</summary>
    public async Task<IReadOnlyList<string>> ListIndexesAsync(CancellationToken cancellationToken)
    {
        var response = await GrpcCall.RunAsync("Retriever.ListIndexes", Policy(Options.ListIndexesTimeoutSeconds),
            deadline => retriever.ListIndexesAsync(new ListIndexesRequest(), deadline: deadline, cancellationToken: cancellationToken).ResponseAsync,
            logger, cancellationToken);
        return [.. response.Indexes.Select(i => i.Name)];
    }

    /// <summary>
    /// The pipeline a model run goes through, and its settings; <paramref name="retrieverIndex"/> is the
    /// index its set is read against (null: the retriever's default).
    /// </summary>
    public (OdqaPipeline Pipeline, PipelineSettings Settings) For(SubmissionRecord run, string? retrieverIndex)
    {
        ArgumentNullException.ThrowIfNull(run);
        var pipeline = new OdqaPipeline(
            new GrpcRetriever(retriever, Policy(Options.RetrieveTimeoutSeconds), logger),
            new GrpcReader(reader, run.Model, run.Version, Policy(Options.ReadTimeoutSeconds), logger));
        var read = new ReadSettings(
            run.ReadMode == RunMode.Concat ? PassageMode.Concat : PassageMode.Separate,
            Options.NBest,
            RetrieverWeight: run.RetrieverWeight);
        return (pipeline, new PipelineSettings(read, new RetrievalSettings(run.TopK, run.K1, run.B, retrieverIndex), Options.BatchSize, Options.ReadParallelism));
    }

    CallPolicy Policy(double timeoutSeconds) =>
        new(TimeSpan.FromSeconds(timeoutSeconds), Options.MaxAttempts, TimeSpan.FromSeconds(Options.InitialBackoffSeconds));

    /// <summary>
    /// Resolves "latest"/empty to the highest version of the model by the one version ordering the
    /// reader also uses (<see cref="VersionComparer"/>); unknown names or versions are refused.
    /// </summary>
    public static ModelChoice Resolve(IReadOnlyList<ModelChoice> models, string model, string? version)
    {
        ArgumentNullException.ThrowIfNull(models);
        var versions = models.Where(m => string.Equals(m.Name, model, StringComparison.Ordinal)).ToList();
        if (versions.Count == 0)
            throw new LeaderboardException(LeaderboardError.InvalidArgument,
                $"Unknown model \"{model}\". Available: {string.Join(", ", models.Select(m => m.Name).Distinct())}.",
                $"알 수 없는 모델 \"{model}\"입니다. 쓸 수 있는 모델: {string.Join(", ", models.Select(m => m.Name).Distinct())}.");
        if (VersionComparer.MeansLatest(version))
            return versions.OrderByDescending(m => m.Version, VersionComparer.Instance).First();
        return versions.FirstOrDefault(m => m.Version == version)
            ?? throw new LeaderboardException(LeaderboardError.InvalidArgument,
                $"Model \"{model}\" has no version \"{version}\". Available: {string.Join(", ", versions.Select(v => v.Version))}.",
                $"모델 \"{model}\"에는 버전 \"{version}\"이 없습니다. 쓸 수 있는 버전: {string.Join(", ", versions.Select(v => v.Version))}.");
    }
}
