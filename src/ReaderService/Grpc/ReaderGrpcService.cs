using Grpc.Core;
using Microsoft.Extensions.Options;
using Mrc.Contracts.V1;
using Mrc.Core.Pipeline;
using Mrc.Reading.Models;
using Mrc.Reading.Pipeline;
using MrcGrpc.ServiceDefaults.Grpc;

namespace Mrc.Reader.Grpc;

/// <summary>
/// <c>mrc.v1.Reader</c>: checks the request against the configured limits, leases the model version,
/// reads, maps back. The domain's refusals become statuses in <see cref="ReaderErrors"/>: NotFound
/// (unknown model or version), FailedPrecondition (the version cannot be loaded, with the reason),
/// ResourceExhausted (queue full), InvalidArgument (read options out of range).
/// Answer offsets are in Unicode code points, like Python string indices.
/// </summary>
public sealed class ReaderGrpcService(ModelManager models, IOptions<ReaderOptions> options) : Contracts.V1.Reader.ReaderBase
{
    public override async Task<ReadResponse> Read(ReadRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var limits = options.Value;
        CheckLimits(request, limits);
        var settings = ToSettings(request.Options ?? new ReadOptions(), limits).Validate(longestAnswer: limits.MaxSeqLength);

        using var lease = await models.AcquireAsync(request.Model, request.Version, context.CancellationToken);
        var entry = lease.Reader.Entry;
        var reader = new InProcessReader(lease.Reader.Engine, entry.Name, entry.Version, limits.MaxSeqLength);
        var passages = request.Passages.Select((p, i) => new RetrievedPassage(p.Id, "", p.Title, p.Text, p.RetrieverScore, i + 1, 0, p.Text.Length)).ToList();
        var output = await reader.ReadAsync(request.Question, passages, settings, context.CancellationToken);

        var response = new ReadResponse { Model = output.Model, Version = output.Version };
        response.Answers.AddRange(output.Answers.Select(a => new Answer
        {
            Text = a.Text,
            Score = a.Score,
            Probability = (float)a.Probability,
            PassageId = a.PassageId,
            StartChar = a.StartChar,
            EndChar = a.EndChar,
        }));
        return response;
    }

    public override Task<ListModelsResponse> ListModels(ListModelsRequest request, ServerCallContext context)
    {
        var response = new ListModelsResponse();
        foreach (var status in models.Status())
        {
            var info = new ModelInfo
            {
                Name = status.Entry.Name,
                Version = status.Entry.Version,
                Architecture = status.Architecture,
                Parameters = status.Parameters,
                Device = status.Device,
                Loaded = status.Loaded,
                IsDefault = status.IsDefault,
                LoadError = status.LoadError,
                Description = status.Card?.Description ?? "",
                Team = status.Entry.Team ?? "",
            };
            if (status.Card is not null)
            {
                foreach (var (metric, value) in status.Card.Metrics) info.Metrics[metric] = value;
            }
            response.Models.Add(info);
        }
        return Task.FromResult(response);
    }

    static void CheckLimits(ReadRequest request, ReaderOptions limits)
    {
        if (string.IsNullOrWhiteSpace(request.Question)) RpcErrors.InvalidArgument("question must not be empty.");
        if (request.Question.Length > limits.MaxQuestionCharacters)
            RpcErrors.InvalidArgument($"question has {request.Question.Length} characters; the limit is {limits.MaxQuestionCharacters}.");
        if (request.Passages.Count == 0) RpcErrors.InvalidArgument("at least one passage is required.");
        if (request.Passages.Count > limits.MaxPassages)
            RpcErrors.InvalidArgument($"{request.Passages.Count} passages; the limit is {limits.MaxPassages}.");
        for (var i = 0; i < request.Passages.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(request.Passages[i].Text)) RpcErrors.InvalidArgument($"passage {i} ('{request.Passages[i].Id}') has no text.");
        }
        var characters = request.Passages.Sum(p => (long)p.Text.Length);
        if (characters > limits.MaxTotalCharacters)
            RpcErrors.InvalidArgument($"passages have {characters} characters together; the limit is {limits.MaxTotalCharacters}.");
        if (request.Passages.Any(p => !float.IsFinite(p.RetrieverScore))) RpcErrors.InvalidArgument("passage retriever_score must be finite.");
    }

    /// <summary>The request's options with the server's defaults for 0 (ReadSettings.Validate checks the ranges).</summary>
    static ReadSettings ToSettings(ReadOptions o, ReaderOptions limits) => new(
        o.Mode switch
        {
            ReadMode.Unspecified or ReadMode.Separate => PassageMode.Separate,
            ReadMode.Concat => PassageMode.Concat,
            _ => RpcErrors.InvalidArgument<PassageMode>($"options.mode {(int)o.Mode} is not a known ReadMode."),
        },
        o.NBest == 0 ? limits.DefaultNBest : o.NBest,
        o.MaxAnswerLength == 0 ? limits.DefaultMaxAnswerLength : o.MaxAnswerLength,
        o.RetrieverWeight,
        o.StripParticles);
}
