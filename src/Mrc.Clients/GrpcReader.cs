using Grpc.Core;
using Microsoft.Extensions.Logging;
using Mrc.Contracts.V1;
using Mrc.Core.Pipeline;

namespace Mrc.Clients;

/// <summary>
/// The pipeline's reader over a ReaderService, reading with one model version ("" or "latest": the
/// highest). InvalidArgument is about this question (the run's settings were checked before it
/// started), so it becomes <see cref="QuestionRefusedException"/>.
/// </summary>
public sealed class GrpcReader(Reader.ReaderClient client, string model, string version, CallPolicy policy, ILogger logger) : IPassageReader
{
    public async Task<ReaderOutput> ReadAsync(
        string question, IReadOnlyList<RetrievedPassage> passages, ReadSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(passages);
        ArgumentNullException.ThrowIfNull(settings);
        var request = new ReadRequest
        {
            Question = question,
            Model = model,
            Version = version,
            Options = new ReadOptions
            {
                Mode = settings.Mode == PassageMode.Concat ? ReadMode.Concat : ReadMode.Separate,
                NBest = settings.NBest,
                MaxAnswerLength = settings.MaxAnswerLength,
                RetrieverWeight = settings.RetrieverWeight,
                StripParticles = settings.StripParticles,
            },
        };
        request.Passages.AddRange(passages.Select(p => new ReadPassage { Id = p.Id, Title = p.Title, Text = p.Text, RetrieverScore = p.Score }));
        ReadResponse response;
        try
        {
            response = await GrpcCall.RunAsync("Reader.Read", policy,
                deadline => client.ReadAsync(request, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync,
                logger, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.InvalidArgument)
        {
            throw new QuestionRefusedException(e.Status.Detail, e);
        }
        return new ReaderOutput(response.Model, response.Version, [.. response.Answers.Select(a =>
            new NBestAnswer(a.Text, a.Probability, a.Score, a.PassageId, a.StartChar, a.EndChar))]);
    }
}
