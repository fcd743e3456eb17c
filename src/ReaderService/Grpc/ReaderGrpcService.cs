using System.Diagnostics.CodeAnalysis;
using Grpc.Core;
using Mrc.Contracts.V1;
using Mrc.Reader.Inference;
using Mrc.Reader.Models;

namespace Mrc.Reader.Grpc;

/// <summary>
/// <c>mrc.v1.Reader</c>: validates the request, leases the model version, reads, maps back. Errors are
/// precise statuses: InvalidArgument (bad request), NotFound (unknown model or version),
/// FailedPrecondition (the version cannot be loaded, with the reason), ResourceExhausted (queue full).
/// Answer offsets are in Unicode code points, like Python string indices.
/// </summary>
public sealed class ReaderGrpcService(ModelManager models) : Contracts.V1.Reader.ReaderBase
{
    public override async Task<ReadResponse> Read(ReadRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var options = models.Options;
        var settings = Validate(request, options);

        ModelLease lease;
        try
        {
            lease = await models.AcquireAsync(request.Model, request.Version, context.CancellationToken);
        }
        catch (ModelNotFoundException e)
        {
            ThrowNotFound(e.Message);
            return null;
        }
        catch (ModelLoadException e)
        {
            ThrowFailedPrecondition(e.Message);
            return null;
        }

        using (lease)
        {
            var passages = request.Passages.Select(p => new PassageInput(p.Id, p.Text, p.RetrieverScore)).ToList();
            IReadOnlyList<ReaderAnswer> answers;
            try
            {
                answers = await lease.Reader.Engine.ReadAsync(request.Question, passages, settings, context.CancellationToken);
            }
            catch (ReaderBusyException e)
            {
                ThrowResourceExhausted(e.Message);
                return null;
            }
            var response = new ReadResponse { Model = lease.Reader.Entry.Name, Version = lease.Reader.Entry.Version };
            response.Answers.AddRange(answers.Select(a =>
            {
                var text = passages[a.PassageIndex].Text;
                return new Answer
                {
                    Text = a.Text,
                    Score = a.Score,
                    Probability = (float)a.Probability,
                    PassageId = a.PassageId,
                    StartChar = TextOffsets.ToCodePoints(text, a.StartChar),
                    EndChar = TextOffsets.ToCodePoints(text, a.EndChar),
                };
            }));
            return response;
        }
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
            };
            if (status.Card is not null)
            {
                foreach (var (metric, value) in status.Card.Metrics) info.Metrics[metric] = value;
            }
            response.Models.Add(info);
        }
        return Task.FromResult(response);
    }

    static ReadSettings Validate(ReadRequest request, ReaderOptions options)
    {
        if (string.IsNullOrWhiteSpace(request.Question)) ThrowInvalidArgument("question must not be empty.");
        if (request.Question.Length > options.MaxQuestionCharacters)
            ThrowInvalidArgument($"question has {request.Question.Length} characters; the limit is {options.MaxQuestionCharacters}.");
        if (request.Passages.Count == 0) ThrowInvalidArgument("at least one passage is required.");
        if (request.Passages.Count > options.MaxPassages)
            ThrowInvalidArgument($"{request.Passages.Count} passages; the limit is {options.MaxPassages}.");
        for (var i = 0; i < request.Passages.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(request.Passages[i].Text)) ThrowInvalidArgument($"passage {i} ('{request.Passages[i].Id}') has no text.");
        }
        var characters = request.Passages.Sum(p => (long)p.Text.Length);
        if (characters > options.MaxTotalCharacters)
            ThrowInvalidArgument($"passages have {characters} characters together; the limit is {options.MaxTotalCharacters}.");

        var o = request.Options ?? new ReadOptions();
        if (o.NBest is < 0 or > ReaderEngine.NBestSize) ThrowInvalidArgument($"options.n_best must be in 0..{ReaderEngine.NBestSize}.");
        if (o.MaxAnswerLength < 0 || o.MaxAnswerLength > options.MaxSeqLength)
            ThrowInvalidArgument($"options.max_answer_length must be in 0..{options.MaxSeqLength}.");
        if (!float.IsFinite(o.RetrieverWeight) || o.RetrieverWeight < 0) ThrowInvalidArgument("options.retriever_weight must be a finite number ≥ 0.");
        if (request.Passages.Any(p => !float.IsFinite(p.RetrieverScore))) ThrowInvalidArgument("passage retriever_score must be finite.");
        var mode = o.Mode switch
        {
            ReadMode.Unspecified or ReadMode.Separate => PassageMode.Separate,
            ReadMode.Concat => PassageMode.Concat,
            _ => Invalid<PassageMode>($"options.mode {(int)o.Mode} is not a known ReadMode."),
        };
        if (mode == PassageMode.Concat && o.RetrieverWeight > 0)
            ThrowInvalidArgument("options.retriever_weight applies to SEPARATE mode only.");
        return new ReadSettings(
            mode,
            o.NBest == 0 ? options.DefaultNBest : o.NBest,
            o.MaxAnswerLength == 0 ? options.DefaultMaxAnswerLength : o.MaxAnswerLength,
            o.RetrieverWeight,
            o.StripParticles);
    }

    static T Invalid<T>(string message)
    {
        ThrowInvalidArgument(message);
        return default;
    }

    [DoesNotReturn]
    static void ThrowInvalidArgument(string message) => throw new RpcException(new Status(StatusCode.InvalidArgument, message));

    [DoesNotReturn]
    static void ThrowNotFound(string message) => throw new RpcException(new Status(StatusCode.NotFound, message));

    [DoesNotReturn]
    static void ThrowFailedPrecondition(string message) => throw new RpcException(new Status(StatusCode.FailedPrecondition, message));

    [DoesNotReturn]
    static void ThrowResourceExhausted(string message) => throw new RpcException(new Status(StatusCode.ResourceExhausted, message));
}
