using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Mrc.Core.Data;
using Mrc.Retrieval.Search;

namespace Mrc.Cli.Commands;

/// <summary>
/// `mrc bench retrieval`: single-thread search latency (p50/p95/p99) and batch throughput on the
/// questions of a QA set. Warm-up queries run first so that JIT and file caches do not count.
/// </summary>
internal static class BenchCommands
{
    public static Command Create(CliConsole console)
    {
        var index = SearchOptions.Index();
        var dataset = new Option<FileInfo>("--dataset") { Description = "Questions to search (KorQuAD/SQuAD JSON or JSONL).", Required = true };
        var k = new Option<int>("--k") { Description = "Passages per query.", DefaultValueFactory = _ => 20 };
        var rounds = new Option<int>("--rounds") { Description = "Times the question list is searched in each measurement.", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "Threads for the batch measurement.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var batchSize = new Option<int>("--batch-size") { Description = "Queries per BatchSearch call.", DefaultValueFactory = _ => 64 };
        var scoring = new SearchOptions();
        var retrieval = new Command("retrieval", "Search latency on one thread and BatchSearch throughput.")
        {
            index, dataset, k, rounds, threads, batchSize,
        };
        scoring.AddTo(retrieval);
        retrieval.SetAction((parse, _) => CommandErrors.Guard(console, async () =>
        {
            int top = parse.GetValue(k), repeat = parse.GetValue(rounds), threadCount = parse.GetValue(threads), size = parse.GetValue(batchSize);
            if (top <= 0 || repeat <= 0 || threadCount <= 0 || size <= 0)
                throw new ArgumentException("--k, --rounds, --threads and --batch-size must be positive.");
            var questions = QuestionSetReader.Load(parse.GetValue(dataset)!.FullName)
                .Select(q => q.Question).Where(q => !string.IsNullOrWhiteSpace(q)).ToList();
            if (questions.Count == 0) throw new ArgumentException("The dataset has no questions.");
            var (host, settings) = scoring.OpenIndex(parse, parse.GetValue(index)!);
            using var ownedHost = host;
            var searcher = new PassageSearcher(host, settings);

            foreach (var q in questions.Take(200)) TrySearch(searcher, q, top);

            var latencies = new List<double>(questions.Count * repeat);
            var total = Stopwatch.StartNew();
            for (int r = 0; r < repeat; r++)
                foreach (var q in questions)
                {
                    long start = Stopwatch.GetTimestamp();
                    TrySearch(searcher, q, top);
                    latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
            double singleQps = latencies.Count / total.Elapsed.TotalSeconds;
            latencies.Sort();

            total.Restart();
            int searched = 0;
            for (int r = 0; r < repeat; r++)
                for (int i = 0; i < questions.Count; i += size)
                {
                    var batch = questions.GetRange(i, Math.Min(size, questions.Count - i));
                    try
                    {
                        searcher.BatchSearch(batch, top, threadCount);
                    }
                    catch (QueryHasNoTermsException)
                    {
                        // A question of symbols only: measured like any other, not an error here.
                    }
                    searched += batch.Count;
                }
            double batchQps = searched / total.Elapsed.TotalSeconds;

            var c = CultureInfo.InvariantCulture;
            await console.Out.WriteLineAsync($"index: {host.Metadata.PassageCount} passages, {host.Metadata.Analyzer}; scoring: {settings}; k={top}");
            await console.Out.WriteLineAsync(string.Create(c,
                $"single thread: {latencies.Count} queries, {singleQps:F1} queries/s, latency p50 {Percentile(latencies, 0.50):F3} ms, p95 {Percentile(latencies, 0.95):F3} ms, p99 {Percentile(latencies, 0.99):F3} ms"));
            await console.Out.WriteLineAsync(string.Create(c,
                $"batch: {searched} queries in batches of {size} on {threadCount} threads, {batchQps:F1} queries/s"));
            return 0;
        }));
        return new Command("bench", "Measure speed.") { retrieval, ScaleBenchCommand.Create(console), ReaderBenchCommand.Create(console), LoadBenchCommand.Create(console) };
    }

    static void TrySearch(PassageSearcher searcher, string query, int k)
    {
        try
        {
            searcher.Search(query, k);
        }
        catch (QueryHasNoTermsException)
        {
            // Counted in the timing; such a query costs only its analysis.
        }
    }

    static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
