using System.Collections.Concurrent;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mrc.Contracts.V1;

namespace Mrc.Leaderboard.Tests.Support;

/// <summary>
/// Small real gRPC Retriever and Reader servers on 127.0.0.1 (HTTP/2, a free port), implementing the
/// generated base classes with deterministic behaviour the test chooses. The real services are tested
/// end to end elsewhere; this lets the worker be tested against real gRPC calls. Where the real
/// services refuse, so do these, with the same status: RetrieveBatch and Retrieve refuse a query with
/// no letter or digit (the default analyzer finds no searchable word) or over 1,000 characters
/// (Retriever:MaxQueryChars), and an index it does not serve (NotFound, listing the ones it does, as
/// the real one words it); Read refuses no passages and questions over 1,000 characters.
/// </summary>
public sealed class FakePipeline : IAsyncDisposable
{
    readonly WebApplication app;

    FakePipeline(WebApplication app, Uri address)
    {
        this.app = app;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>Passages for a query (default: none).</summary>
    public Func<string, int, IEnumerable<Passage>> Retrieve { get; set; } = (_, _) => [];

    /// <summary>The answer text for a question (default: empty).</summary>
    public Func<ReadRequest, string> Answer { get; set; } = _ => "";

    /// <summary>When set, every Read waits for the gate (one permit per call) before answering.</summary>
    public SemaphoreSlim? ReadGate { get; set; }

    /// <summary>Retriever answers Unavailable after this many successful RetrieveBatch calls (null: never).</summary>
    public int? RetrieverUpForBatches { get; set; }

    /// <summary>Reader answers Unavailable after this many successful Read calls (null: never).</summary>
    public int? ReaderUpForReads { get; set; }

    /// <summary>The first this many Read calls answer ResourceExhausted (a full batching queue).</summary>
    public int ReaderBusyForReads { get; set; }

    /// <summary>The indexes the retriever serves, the default one ("default", an empty request name) first.</summary>
    public List<string> Indexes { get; } = ["default"];

    /// <summary>The index each Retrieve and RetrieveBatch call named, as sent (empty: the default).</summary>
    public ConcurrentQueue<string> SearchedIndexes { get; } = new();

    /// <summary>Models ListModels reports.</summary>
    public List<ModelInfo> Models { get; } =
    [
        new() { Name = "klue-bert-base", Version = "v1", Architecture = "bert", IsDefault = true },
        new() { Name = "klue-bert-base", Version = "v2", Architecture = "bert" },
    ];

    public ConcurrentQueue<string> ReadQuestions { get; } = new();
    public int RetrieveBatchCalls => batchCalls;
    internal int batchCalls;
    internal int readCalls;
    internal int busyReads;

    /// <summary>The real retriever's refusal of a query, or null when it would search it.</summary>
    internal static string? QueryProblem(string query, string field) =>
        query.Length > 1000 ? $"{field} is {query.Length:N0} characters; the limit is 1,000 (Retriever:MaxQueryChars). Send the question, not a document."
        : !query.Any(char.IsLetterOrDigit) ? "The query has no searchable words for the 'korean-unigram-bigram' analyzer: ask with words, not only punctuation or symbols."
        : null;

    public static async Task<FakePipeline> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        // The leaderboard's appsettings.json lies in the test folder too: its Kestrel endpoints
        // (5080, 5081) would be bound besides the free port, and collide with any other run.
        ((IConfigurationBuilder)builder.Configuration).Sources.Clear();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        var holder = new Holder();
        builder.Services.AddSingleton(holder);
        var app = builder.Build();
        app.MapGrpcService<FakeRetriever>();
        app.MapGrpcService<FakeReader>();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var pipeline = new FakePipeline(app, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)));
        holder.Pipeline = pipeline;
        return pipeline;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    internal sealed class Holder
    {
        public FakePipeline Pipeline { get; set; } = default!;
    }

    sealed class FakeRetriever(Holder holder) : Retriever.RetrieverBase
    {
        public override Task<RetrieveBatchResponse> RetrieveBatch(RetrieveBatchRequest request, ServerCallContext context)
        {
            var pipeline = holder.Pipeline;
            int call = Interlocked.Increment(ref pipeline.batchCalls);
            if (pipeline.RetrieverUpForBatches is { } up && call > up)
                throw new RpcException(new Status(StatusCode.Unavailable, "index is being rebuilt"));
            CheckIndex(pipeline, request.Index);
            for (int i = 0; i < request.Queries.Count; i++)
            {
                if (QueryProblem(request.Queries[i], $"queries[{i}]") is { } problem)
                    throw new RpcException(new Status(StatusCode.InvalidArgument, problem));
            }
            var response = new RetrieveBatchResponse();
            foreach (var query in request.Queries) response.Results.Add(Search(pipeline, query, request.TopK));
            return Task.FromResult(response);
        }

        public override Task<RetrieveResponse> Retrieve(RetrieveRequest request, ServerCallContext context)
        {
            CheckIndex(holder.Pipeline, request.Index);
            if (QueryProblem(request.Query, "query") is { } problem)
                throw new RpcException(new Status(StatusCode.InvalidArgument, problem));
            return Task.FromResult(Search(holder.Pipeline, request.Query, request.TopK));
        }

        public override Task<ListIndexesResponse> ListIndexes(ListIndexesRequest request, ServerCallContext context)
        {
            var response = new ListIndexesResponse();
            var indexes = holder.Pipeline.Indexes;
            response.Indexes.AddRange(indexes.Select((name, i) => new IndexEntry { Name = name, IsDefault = i == 0 }));
            return Task.FromResult(response);
        }

        static void CheckIndex(FakePipeline pipeline, string index)
        {
            pipeline.SearchedIndexes.Enqueue(index);
            if (index.Length > 0 && !pipeline.Indexes.Contains(index))
                throw new RpcException(new Status(StatusCode.NotFound,
                    $"There is no index named '{index}'. This service serves: {string.Join(", ", pipeline.Indexes)} (an empty name is 'default')."));
        }

        static RetrieveResponse Search(FakePipeline pipeline, string query, int topK)
        {
            var result = new RetrieveResponse();
            int rank = 1;
            foreach (var passage in pipeline.Retrieve(query, topK).Take(topK))
            {
                passage.Rank = rank++;
                result.Passages.Add(passage);
            }
            result.TotalHits = result.Passages.Count;
            return result;
        }
    }

    sealed class FakeReader(Holder holder) : Reader.ReaderBase
    {
        public override async Task<ReadResponse> Read(ReadRequest request, ServerCallContext context)
        {
            var pipeline = holder.Pipeline;
            if (pipeline.ReadGate is { } gate) await gate.WaitAsync(context.CancellationToken);
            if (pipeline.ReaderUpForReads is { } up && Interlocked.Increment(ref pipeline.readCalls) > up)
                throw new RpcException(new Status(StatusCode.Unavailable, "model is reloading"));
            if (Interlocked.Increment(ref pipeline.busyReads) <= pipeline.ReaderBusyForReads)
                throw new RpcException(new Status(StatusCode.ResourceExhausted, "the reader's queue is full (4096 windows); retry later."));
            if (request.Passages.Count == 0) throw new RpcException(new Status(StatusCode.InvalidArgument, "at least one passage is required."));
            if (request.Question.Length > 1000)
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"question has {request.Question.Length} characters; the limit is 1000."));
            pipeline.ReadQuestions.Enqueue(request.Question);
            var answer = pipeline.Answer(request);
            var response = new ReadResponse { Model = request.Model, Version = request.Version };
            response.Answers.Add(new Answer { Text = answer, Score = 9.5f, Probability = 0.8f, PassageId = request.Passages.FirstOrDefault()?.Id ?? "" });
            response.Answers.Add(new Answer { Text = answer + " 외", Score = 3.1f, Probability = 0.2f, PassageId = request.Passages.FirstOrDefault()?.Id ?? "" });
            return response;
        }

        public override Task<ListModelsResponse> ListModels(ListModelsRequest request, ServerCallContext context)
        {
            var response = new ListModelsResponse();
            response.Models.AddRange(holder.Pipeline.Models);
            return Task.FromResult(response);
        }
    }
}
