using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using Mrc.Contracts.V1;
using Mrc.Core.Data;

namespace Mrc.Cli.Load;

/// <summary>What `mrc bench load` calls: one question through Retrieve, Read, or both in turn.</summary>
internal enum LoadTarget
{
    Retriever,
    Reader,
    Pipeline,
}

/// <summary>The settings of one load run.</summary>
internal sealed record LoadSettings(LoadTarget Target, int Clients, TimeSpan Duration, int TopK, string Model, string Version, TimeSpan Deadline);

/// <summary>Latencies of the calls that succeeded, failures by gRPC status, and the wall time they took.</summary>
internal sealed record LoadResult(IReadOnlyList<double> LatenciesMs, IReadOnlyDictionary<string, int> Errors, double Seconds);

/// <summary>
/// N clients, each sending its next question as soon as the previous answer came back, for the given
/// time, over one HTTP/2 channel per service (as a deployed client would share one). With the pipeline
/// target one request is Retrieve followed by Read of the passages it returned, and its latency is both
/// together; the reader target reads each question with its gold paragraph.
/// </summary>
internal sealed class LoadDriver(Retriever.RetrieverClient? retriever, Reader.ReaderClient? reader, IReadOnlyList<QuestionExample> questions, LoadSettings settings)
{
    int next = -1;

    /// <summary>One request per question kind, not counted: the reader loads its model on the first Read.</summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        for (int i = 0; i < Math.Min(settings.Clients, questions.Count); i++)
            await OneAsync(questions[i], cancellationToken);
    }

    public async Task<LoadResult> RunAsync(CancellationToken cancellationToken)
    {
        var latencies = new ConcurrentBag<List<double>>();
        var errors = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(settings.Duration);
        var clock = Stopwatch.StartNew();
        var clients = Enumerable.Range(0, settings.Clients).Select(_ => Task.Run(async () =>
        {
            var mine = new List<double>();
            latencies.Add(mine);
            while (!stop.IsCancellationRequested)
            {
                var question = questions[(int)((uint)Interlocked.Increment(ref next) % (uint)questions.Count)];
                long start = Stopwatch.GetTimestamp();
                try
                {
                    await OneAsync(question, CancellationToken.None);
                    mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
                catch (RpcException e)
                {
                    errors.AddOrUpdate(e.StatusCode.ToString(), 1, (_, n) => n + 1);
                }
            }
        }, CancellationToken.None)).ToList();
        await Task.WhenAll(clients);
        double seconds = clock.Elapsed.TotalSeconds;
        cancellationToken.ThrowIfCancellationRequested();
        return new LoadResult([.. latencies.SelectMany(l => l).Order()], errors, seconds);
    }

    /// <summary>
    /// One request. In-flight requests finish when the time is up (they are not cancelled), so the run
    /// counts no Cancelled status of its own making; each has its own deadline.
    /// </summary>
    async Task OneAsync(QuestionExample question, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + settings.Deadline;
        IEnumerable<ReadPassage> passages = question.Context is { } context
            ? [new ReadPassage { Id = question.Id, Title = question.Title ?? "", Text = context }]
            : [];
        if (settings.Target != LoadTarget.Reader)
        {
            var found = await retriever!.RetrieveAsync(new RetrieveRequest { Query = question.Question, TopK = settings.TopK },
                deadline: deadline, cancellationToken: cancellationToken);
            if (settings.Target == LoadTarget.Retriever) return;
            passages = found.Passages.Select(p => new ReadPassage { Id = p.Id, Title = p.Title, Text = p.Text, RetrieverScore = p.Score });
        }
        var request = new ReadRequest { Question = question.Question, Model = settings.Model, Version = settings.Version };
        request.Passages.AddRange(passages);
        if (request.Passages.Count == 0) return; // nothing retrieved: a client would not ask the reader
        await reader!.ReadAsync(request, deadline: deadline, cancellationToken: cancellationToken);
    }
}
