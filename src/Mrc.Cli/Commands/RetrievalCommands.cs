using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Mrc.Core.Data;
using Mrc.Retrieval.Evaluation;
using Mrc.Retrieval.Lifecycle;
using Mrc.Retrieval.Search;

namespace Mrc.Cli.Commands;

/// <summary>`mrc retrieval eval`: recall@k, MRR and single-thread queries/second of an index on a QA set.</summary>
internal static class RetrievalCommands
{
    public static Command Create(CliConsole console)
    {
        var index = SearchOptions.Index();
        var dataset = new Option<FileInfo>("--dataset") { Description = "KorQuAD/SQuAD JSON (or JSONL with context and answers).", Required = true };
        var ks = new Option<string>("--k") { Description = "Cut-offs for recall, comma-separated.", DefaultValueFactory = _ => "1,5,20" };
        var scoring = new SearchOptions();
        var half = new Option<QuestionHalf>("--questions-from-half")
        {
            Description = "Use only half of the questions, split by sorted question id: first = the first ⌈n/2⌉, second = the rest (tune on one, report on the other).",
            DefaultValueFactory = _ => QuestionHalf.All,
        };
        var halfBy = new Option<string>("--half-by")
        {
            Description = "How --questions-from-half splits: questions (by sorted question id) or articles (by sorted article title; no article in both halves).",
            DefaultValueFactory = _ => "questions",
        };
        halfBy.AcceptOnlyFromAmong("questions", "articles");
        var json = new Option<bool>("--json") { Description = "Print the result as one JSON object." };

        var eval = new Command("eval",
            "Recall@k, MRR and queries/second. A hit is a retrieved passage cut from the gold paragraph (same text) "
            + "whose character range covers the gold answer span answer_start..answer_start+len(answer). "
            + "MRR uses the first hit within the largest k. Queries run one at a time on one thread.")
        {
            index, dataset, ks, half, halfBy, json,
        };
        scoring.AddTo(eval);
        eval.SetAction((parse, _) => CommandErrors.Guard(console, async () =>
        {
            var cutoffs = ParseKs(parse.GetValue(ks)!);
            var all = QuestionSetReader.Load(parse.GetValue(dataset)!.FullName);
            var questions = parse.GetValue(halfBy) == "articles"
                ? QuestionHalves.SelectByArticle(all, parse.GetValue(half))
                : QuestionHalves.Select(all, parse.GetValue(half));
            var (host, settings) = scoring.OpenIndex(parse, parse.GetValue(index)!);
            using var ownedHost = host;
            var searcher = new PassageSearcher(host, settings);
            var report = RetrievalEvaluator.Evaluate(searcher, questions, cutoffs, settings,
                new Progress<int>(done => console.Error.WriteLine($"{done}/{questions.Count} questions")));
            var metadata = host.Metadata;
            if (parse.GetValue(json))
            {
                await console.Out.WriteLineAsync(JsonSerializer.Serialize(new
                {
                    analyzer = metadata.Analyzer,
                    similarity = settings.Similarity.ToString().ToLowerInvariant(),
                    // TF-IDF has no k1 or b: null says so rather than echoing unused values.
                    k1 = settings.Similarity == SimilarityKind.Bm25 ? settings.K1 : (float?)null,
                    b = settings.Similarity == SimilarityKind.Bm25 ? settings.B : (float?)null,
                    half = parse.GetValue(half).ToString().ToLowerInvariant(),
                    questions = report.Questions,
                    skipped = report.Skipped,
                    recall = report.RecallAtK.ToDictionary(p => p.Key.ToString(CultureInfo.InvariantCulture), p => Math.Round(p.Value, 4)),
                    mrr = Math.Round(report.Mrr, 4),
                    queries_per_second = Math.Round(report.QueriesPerSecond, 1),
                }));
                return 0;
            }
            await console.Out.WriteLineAsync($"index: {metadata.PassageCount} passages, {metadata.Analyzer}; scoring: {settings}");
            await console.Out.WriteLineAsync($"questions: {report.Questions}" + (report.Skipped > 0 ? $" ({report.Skipped} without gold paragraph skipped)" : ""));
            foreach (var (k, recall) in report.RecallAtK)
                await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"R@{k}: {recall:F4}"));
            await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"MRR@{report.MrrDepth}: {report.Mrr:F4}"));
            await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"queries/second (1 thread): {report.QueriesPerSecond:F1}"));
            return 0;
        }));
        return new Command("retrieval", "Evaluate retrieval.") { eval };
    }

    static int[] ParseKs(string text)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var ks = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out ks[i]) || ks[i] <= 0)
                throw new ArgumentException($"--k takes positive whole numbers separated by commas (e.g. 1,5,20), not '{text}'.");
        if (ks.Length == 0) throw new ArgumentException("--k needs at least one cut-off (e.g. 1,5,20).");
        return ks;
    }
}
