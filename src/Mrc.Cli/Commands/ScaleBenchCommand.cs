using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Mrc.Core.Data;
using Mrc.Retrieval.Analysis;
using Mrc.Retrieval.Indexing;
using Mrc.Retrieval.Search;

namespace Mrc.Cli.Commands;

/// <summary>
/// `mrc bench scale`: for each size, the index of a corpus's first N passages (build time, size on
/// disk, peak memory of the build) and its search speed (one thread: queries/s, p50, p99; batches on
/// all threads: queries/s), with recall of the questions' gold paragraphs as a check. Each size is
/// built into its own folder under --work, which is deleted afterwards unless --keep.
/// </summary>
internal static class ScaleBenchCommand
{
    public static Command Create(CliConsole console)
    {
        var corpus = new Option<FileInfo>("--corpus") { Description = "JSON Lines corpus {id, title, text}, e.g. from `mrc corpus generate`.", Required = true };
        var questionsFile = new Option<FileInfo?>("--questions")
        {
            Description = "Questions (JSON Lines or SQuAD JSON) with their gold paragraphs as context; default: NAME.questions.jsonl beside the corpus.",
        };
        var sizes = new Option<string>("--sizes") { Description = "Comma-separated passage counts, each measured on the corpus's first that many passages.", DefaultValueFactory = _ => "10000,100000,1000000" };
        var work = new Option<DirectoryInfo?>("--work") { Description = "Folder for the indexes (one per size); default: a new folder under the system's temporary folder." };
        var keep = new Option<bool>("--keep") { Description = "Keep the indexes after measuring." };
        var settingsFile = new Option<FileInfo?>("--settings") { Description = "Index settings (JSON), as for `mrc index build`." };
        var analyzer = new Option<string?>("--analyzer") { Description = $"Analyzer: {string.Join(", ", AnalyzerCatalog.Names)}; with --settings, give it there instead." };
        analyzer.AcceptOnlyFromAmong([.. AnalyzerCatalog.Names]);
        var k = new Option<int>("--k") { Description = "Passages per query.", DefaultValueFactory = _ => 20 };
        var threads = new Option<int>("--threads") { Description = "Threads of the batch measurement.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var batchSize = new Option<int>("--batch-size") { Description = "Queries per batch (Retriever:MaxBatchSize's default).", DefaultValueFactory = _ => 256 };
        var warmUp = new Option<int>("--warm-up") { Description = "Queries searched before the timed ones, for each size.", DefaultValueFactory = _ => 200 };
        var compareExhaustive = new Option<bool>("--compare-exhaustive")
        {
            Description = $"Where an index has {PassageSearcher.DefaultMaxScoreFrom} passages or more (searched with MaxScore pruning), also search it exhaustively "
                + "and count the questions whose top k differ.",
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };

        var scale = new Command("scale", "Index build and search speed at several corpus sizes (the Java reference: tools/lucene-reference/scale.sh).")
        {
            corpus, questionsFile, sizes, work, keep, settingsFile, analyzer, k, threads, batchSize, warmUp, compareExhaustive, json,
        };
        scale.SetAction((parse, cancellationToken) => CommandErrors.Guard(console, async () =>
        {
            var search = new ScaleSearchOptions(parse.GetValue(k), parse.GetValue(threads), parse.GetValue(batchSize), parse.GetValue(warmUp), parse.GetValue(compareExhaustive));
            if (search.K <= 0 || search.Threads <= 0 || search.BatchSize <= 0 || search.WarmUp < 0)
                throw new ArgumentException("--k, --threads and --batch-size must be positive and --warm-up 0 or more.");
            var counts = ParseSizes(parse.GetValue(sizes)!);
            var corpusFile = parse.GetValue(corpus)!;
            if (!corpusFile.Exists) throw new FileNotFoundException($"corpus file not found: {corpusFile.FullName}", corpusFile.FullName);
            if (!corpusFile.Name.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase))
                throw new ArgumentException($"--corpus must be JSON Lines (.jsonl), one passage a line, so that its first N passages can be read: {corpusFile.Name}");
            string questionsPath = parse.GetValue(questionsFile)?.FullName ?? CorpusCommands.QuestionsPathBeside(corpusFile.FullName);
            var questions = QuestionSetReader.Load(questionsPath).Where(q => !string.IsNullOrWhiteSpace(q.Question)).ToList();
            if (questions.Count == 0) throw new ArgumentException($"{questionsPath} has no questions.");
            var options = new IndexBuildOptions
            {
                Settings = IndexCommands.ReadSettings(parse.GetValue(settingsFile), parse.GetValue(analyzer)),
                ChunkSize = 0,
            };
            options.Validate();

            var workFolder = parse.GetValue(work)?.FullName ?? Path.Combine(Path.GetTempPath(), "mrc-bench-scale-" + Guid.NewGuid().ToString("N")[..8]);
            bool workIsNew = !Directory.Exists(workFolder);
            var results = new List<ScaleMeasurement>();
            foreach (int size in counts)
            {
                string indexDirectory = Path.Combine(workFolder, $"lucenenet-{size}");
                if (Directory.Exists(indexDirectory) && Directory.EnumerateFileSystemEntries(indexDirectory).Any())
                    throw new ArgumentException($"{indexDirectory} already exists: remove it or give another --work.");
                await console.Error.WriteLineAsync($"size {size}: building {indexDirectory}");
                try
                {
                    var measured = ScaleBench.Run(corpusFile.FullName, size, indexDirectory, options, questions, search, console.Error, cancellationToken);
                    if (measured[0].Passages < size)
                        await console.Error.WriteLineAsync($"size {size}: the corpus gave only {measured[0].Passages} distinct passages");
                    foreach (var row in measured) await console.Error.WriteLineAsync(Row(row));
                    results.AddRange(measured);
                }
                finally
                {
                    if (!parse.GetValue(keep) && Directory.Exists(indexDirectory)) Directory.Delete(indexDirectory, recursive: true);
                }
            }
            if (workIsNew && !parse.GetValue(keep) && Directory.Exists(workFolder) && !Directory.EnumerateFileSystemEntries(workFolder).Any()) Directory.Delete(workFolder);

            var report = new ScaleReport("lucene.net-4.8", options.Settings.Analyzer, options.Settings.K1, options.Settings.B,
                search.K, search.Threads, search.BatchSize, Environment.ProcessorCount, questions.Count, results);
            if (parse.GetValue(json)) await console.Out.WriteLineAsync(JsonSerializer.Serialize(report, JsonOptions));
            else
            {
                await console.Out.WriteLineAsync(
                    $"{report.Engine}, {report.Analyzer}, BM25 k1 {report.K1.ToString(CultureInfo.InvariantCulture)} b {report.B.ToString(CultureInfo.InvariantCulture)}, "
                    + $"k={report.K}, {report.Questions} questions, batches of {report.BatchSize} on {report.Threads} threads");
                await console.Out.WriteLineAsync(Header);
                foreach (var r in results) await console.Out.WriteLineAsync(Row(r));
            }
            return 0;
        }));
        return scale;
    }

    internal static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = false };

    /// <summary>"10000,100000" → [10000, 100000]; anything but positive whole numbers is refused by name.</summary>
    internal static IReadOnlyList<int> ParseSizes(string text)
    {
        var sizes = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int size) || size <= 0)
                throw new ArgumentException($"--sizes: '{part}' is not a positive whole number (give e.g. 10000,100000,1000000).");
            sizes.Add(size);
        }
        return sizes;
    }

    static string Mb(double? mb) => mb is { } value ? value.ToString("F0", CultureInfo.InvariantCulture) : "–";

    const string Header = "| passages | build s | index MB | peak RSS MB | peak anon MB | search | 1 thread q/s | p50 ms | p99 ms | batch q/s | R@1 | R@k | top k differ |";

    static string Row(ScaleMeasurement r) => string.Create(CultureInfo.InvariantCulture,
        $"| {r.Passages} | {r.BuildSeconds:F1} | {r.IndexBytes / 1048576.0:F1} | {Mb(r.PeakRssMb)} | {Mb(r.PeakAnonMb)} | {r.Search} | {r.SingleThreadQps:F0} | {r.P50Ms:F2} | {r.P99Ms:F2} | {r.BatchQps:F0} | {r.RecallAt1:F4} | {r.RecallAtK:F4} | {(r.TopKDiffers is { } d ? d.ToString(CultureInfo.InvariantCulture) : "–")} |");
}

/// <summary>The JSON `mrc bench scale --json` prints; tools/lucene-reference/Scale.java prints the same shape.</summary>
internal sealed record ScaleReport(
    string Engine, string Analyzer, float K1, float B, int K, int Threads, int BatchSize, int Processors, int Questions,
    IReadOnlyList<ScaleMeasurement> Results);
