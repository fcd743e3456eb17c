using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Grpc.Net.Client;
using Mrc.Cli.Load;
using Mrc.Contracts.V1;
using Mrc.Core.Data;

namespace Mrc.Cli.Commands;

/// <summary>
/// `mrc bench load`: the running services under N concurrent gRPC clients for S seconds — requests per
/// second, latency percentiles, failures by gRPC status, and (with --pid) the resident memory of the
/// service processes across the run.
/// </summary>
internal static class LoadBenchCommand
{
    public static Command Create(CliConsole console)
    {
        var target = new Option<string>("--target") { Description = "retriever (Retrieve), reader (Read of each question's gold paragraph) or pipeline (Retrieve, then Read of what it found).", DefaultValueFactory = _ => "pipeline" };
        target.AcceptOnlyFromAmong("retriever", "reader", "pipeline");
        var retriever = new Option<string?>("--retriever") { Description = "RetrieverService's gRPC address (cleartext HTTP/2), e.g. http://127.0.0.1:5101." };
        var reader = new Option<string?>("--reader") { Description = "ReaderService's gRPC address, e.g. http://127.0.0.1:5201." };
        var dataset = new Option<FileInfo>("--dataset") { Description = "Questions to send, in turn (KorQuAD/SQuAD JSON or JSONL).", Required = true };
        var clients = new Option<int>("--clients") { Description = "Concurrent clients, each sending its next request when the previous one is answered.", DefaultValueFactory = _ => 50 };
        var seconds = new Option<double>("--seconds") { Description = "How long the load lasts (after one warm-up request per client, not counted).", DefaultValueFactory = _ => 60 };
        var topK = new Option<int>("--top-k") { Description = "Passages retrieved per question.", DefaultValueFactory = _ => 5 };
        var model = new Option<string>("--model") { Description = "Reader model (empty: the server's default).", DefaultValueFactory = _ => "" };
        var version = new Option<string>("--version") { Description = "Model version (empty: the highest).", DefaultValueFactory = _ => "" };
        var deadline = new Option<double>("--deadline") { Description = "Deadline of each request, in seconds.", DefaultValueFactory = _ => 30 };
        var pids = new Option<int[]>("--pid") { Description = "Process id of a service whose resident memory is sampled (Linux /proc); repeat for several.", AllowMultipleArgumentsPerToken = true };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of text." };

        var command = new Command("load", "Load a running retriever and/or reader over gRPC: requests/s, p50/p90/p99 latency, errors by status, memory.")
        {
            target, retriever, reader, dataset, clients, seconds, topK, model, version, deadline, pids, json,
        };
        command.SetAction((parse, cancellationToken) => CommandErrors.Guard(console, async () =>
        {
            var kind = Enum.Parse<LoadTarget>(parse.GetValue(target)!, ignoreCase: true);
            var retrieverAddress = Address(parse.GetValue(retriever), "--retriever");
            var readerAddress = Address(parse.GetValue(reader), "--reader");
            if (kind != LoadTarget.Reader && retrieverAddress is null) throw new ArgumentException($"--target {Name(kind)} needs --retriever ADDRESS.");
            if (kind != LoadTarget.Retriever && readerAddress is null) throw new ArgumentException($"--target {Name(kind)} needs --reader ADDRESS.");
            var settings = new LoadSettings(kind, parse.GetValue(clients), TimeSpan.FromSeconds(parse.GetValue(seconds)), parse.GetValue(topK),
                parse.GetValue(model)!, parse.GetValue(version)!, TimeSpan.FromSeconds(parse.GetValue(deadline)));
            if (settings.Clients is < 1 or > 10_000) throw new ArgumentException("--clients must be between 1 and 10,000.");
            if (!(settings.Duration > TimeSpan.Zero)) throw new ArgumentException("--seconds must be positive.");
            if (settings.TopK is < 1 or > 1000) throw new ArgumentException("--top-k must be between 1 and 1,000.");
            if (!(settings.Deadline > TimeSpan.Zero)) throw new ArgumentException("--deadline must be positive.");

            var file = parse.GetValue(dataset)!;
            if (!file.Exists) throw new FileNotFoundException($"{file.FullName} not found.");
            var questions = QuestionSetReader.Load(file.FullName)
                .Where(q => !string.IsNullOrWhiteSpace(q.Question) && (kind != LoadTarget.Reader || !string.IsNullOrEmpty(q.Context))).ToList();
            if (questions.Count == 0)
                throw new ArgumentException(kind == LoadTarget.Reader ? "The dataset has no question with a gold paragraph to read." : "The dataset has no questions.");

            var memory = new List<ResidentMemory>();
            using var retrieverChannel = retrieverAddress is null || kind == LoadTarget.Reader ? null : GrpcChannel.ForAddress(retrieverAddress);
            using var readerChannel = readerAddress is null || kind == LoadTarget.Retriever ? null : GrpcChannel.ForAddress(readerAddress);
            try
            {
                var driver = new LoadDriver(
                    retrieverChannel is null ? null : new Retriever.RetrieverClient(retrieverChannel),
                    readerChannel is null ? null : new Reader.ReaderClient(readerChannel), questions, settings);
                await console.Error.WriteLineAsync($"warming up ({Math.Min(settings.Clients, questions.Count)} requests)…");
                await driver.WarmUpAsync(cancellationToken);
                foreach (var pid in parse.GetValue(pids) ?? []) memory.Add(ResidentMemory.Start(pid));
                await console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{settings.Clients} clients on {Name(kind)} for {settings.Duration.TotalSeconds:0.#} s…"));
                var result = await driver.RunAsync(cancellationToken);
                var summaries = new List<MemorySummary>();
                foreach (var sampler in memory) summaries.Add(await sampler.StopAsync());
                await console.Out.WriteLineAsync(parse.GetValue(json)
                    ? JsonSerializer.Serialize(Report(settings, result, summaries))
                    : Text(settings, result, summaries));
                return result.Errors.Count == 0 ? 0 : 1;
            }
            finally
            {
                foreach (var sampler in memory) await sampler.DisposeAsync();
            }
        }));
        return command;
    }

    static Uri? Address(string? value, string option) =>
        value is null ? null
        : Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) ? uri
        : throw new ArgumentException($"{option} must be an http:// or https:// address such as http://127.0.0.1:5101, not \"{value}\".");

    static string Name(LoadTarget target) => target.ToString().ToLowerInvariant();

    static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    static Dictionary<string, object> Report(LoadSettings settings, LoadResult result, IReadOnlyList<MemorySummary> memory)
    {
        var l = result.LatenciesMs;
        return new Dictionary<string, object>
        {
            ["target"] = Name(settings.Target),
            ["clients"] = settings.Clients,
            ["seconds"] = Math.Round(result.Seconds, 3),
            ["requests"] = l.Count,
            ["errors"] = result.Errors.Values.Sum(),
            ["errors_by_status"] = result.Errors.OrderBy(e => e.Key, StringComparer.Ordinal).ToDictionary(e => e.Key, e => e.Value),
            ["requests_per_second"] = Math.Round(l.Count / result.Seconds, 2),
            ["latency_ms"] = new Dictionary<string, double>
            {
                ["p50"] = Math.Round(Percentile(l, 0.50), 2),
                ["p90"] = Math.Round(Percentile(l, 0.90), 2),
                ["p99"] = Math.Round(Percentile(l, 0.99), 2),
                ["max"] = Math.Round(l.Count == 0 ? 0 : l[^1], 2),
            },
            ["memory"] = memory.Select(m => new Dictionary<string, object>
            {
                ["pid"] = m.ProcessId,
                ["rss_start_mb"] = Math.Round(m.StartMb, 1),
                ["rss_max_mb"] = Math.Round(m.MaxMb, 1),
                ["rss_end_mb"] = Math.Round(m.EndMb, 1),
                ["samples"] = m.Samples,
            }).ToList(),
        };
    }

    static string Text(LoadSettings settings, LoadResult result, IReadOnlyList<MemorySummary> memory)
    {
        var l = result.LatenciesMs;
        var c = CultureInfo.InvariantCulture;
        var lines = new List<string>
        {
            string.Create(c, $"{Name(settings.Target)}: {settings.Clients} clients, {result.Seconds:F1} s, {l.Count} requests, {l.Count / result.Seconds:F1} requests/s"),
            string.Create(c, $"latency: p50 {Percentile(l, 0.50):F1} ms, p90 {Percentile(l, 0.90):F1} ms, p99 {Percentile(l, 0.99):F1} ms, max {(l.Count == 0 ? 0 : l[^1]):F1} ms"),
            result.Errors.Count == 0 ? "errors: none"
                : "errors: " + string.Join(", ", result.Errors.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key} {e.Value}")),
        };
        lines.AddRange(memory.Select(m => string.Create(c,
            $"process {m.ProcessId}: resident {m.StartMb:F0} MB at the start, {m.MaxMb:F0} MB at most, {m.EndMb:F0} MB at the end ({m.Samples} samples)")));
        return string.Join(Environment.NewLine, lines);
    }
}
