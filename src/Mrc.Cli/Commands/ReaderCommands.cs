using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Mrc.Core.Data;
using Mrc.Core.Pipeline;
using Mrc.Reading.Checkpoints;
using Mrc.Reading.Inference;
using Mrc.Reading.Models;
using Mrc.Reading.Pipeline;
using Mrc.Retrieval.Pipeline;
using Mrc.Retrieval.Search;

namespace Mrc.Cli.Commands;

/// <summary>`mrc predict`: the retrieve → read pipeline over a KorQuAD/SQuAD file, in-process.</summary>
internal static class ReaderCommands
{
    static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Predict(CliConsole console)
    {
        var dataset = new Option<FileInfo>("--dataset") { Description = "KorQuAD/SQuAD JSON with questions and their paragraphs.", Required = true };
        var model = new Option<DirectoryInfo>("--model") { Description = "Model version folder: config.json, weights, vocab.txt or tokenizer.json.", Required = true };
        var goldContext = new Option<bool>("--gold-context") { Description = "Read each question's own paragraph." };
        var index = new Option<DirectoryInfo>("--index") { Description = "Retrieve passages from this index (written by `mrc index build`) instead of the gold paragraph." };
        var topK = new Option<int>("--top-k") { Description = "Passages retrieved per question with --index.", DefaultValueFactory = _ => 5 };
        var mode = new Option<string>("--mode") { Description = "How retrieved passages are read: separate or concat.", DefaultValueFactory = _ => "separate" };
        var retrieverWeight = new Option<float>("--retriever-weight") { Description = "Weight of the retriever score added to span scores (separate mode)." };
        mode.AcceptOnlyFromAmong("separate", "concat");
        var scoring = new SearchOptions();
        var output = new Option<FileInfo>("--out") { Description = "Predictions file {\"id\": \"answer\"}; the n-best list goes beside it as NAME.nbest.json.", Required = true };
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda or cuda:N.", DefaultValueFactory = _ => "auto" };
        var threads = new Option<int>("--threads") { Description = "libtorch threads (0 = libtorch default)." };
        var precision = new Option<string>("--precision") { Description = "fp32, bf16 or fp16 (reduced precision on CUDA, or on a CPU that computes it natively).", DefaultValueFactory = _ => "fp32" };
        precision.AcceptOnlyFromAmong("fp32", "bf16", "fp16");
        var parallelism = new Option<int>("--parallelism") { Description = "Questions read at once (the reader batches their windows together).", DefaultValueFactory = _ => 8 };
        var nBest = new Option<int>("--n-best") { Description = $"Answers per question in the n-best file (1..{ReadSettings.MaxNBest}).", DefaultValueFactory = _ => ReadSettings.MaxNBest };
        var maxAnswerLength = new Option<int>("--max-answer-length") { Description = "Longest answer in tokens.", DefaultValueFactory = _ => 30 };
        var stripParticles = new Option<bool>("--strip-particles") { Description = "Remove one trailing Korean particle from each answer." };
        var limit = new Option<int>("--limit") { Description = "Only the first N questions (0 = all)." };

        var command = new Command("predict", "Answer a dataset's questions with a reader model (in-process) and write predictions.")
        {
            dataset, model, goldContext, index, topK, mode, retrieverWeight, output, device, threads, precision, parallelism, nBest, maxAnswerLength, stripParticles, limit,
        };
        scoring.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandErrors.Guard(console, async () =>
        {
            var indexDir = parse.GetValue(index);
            if (parse.GetValue(goldContext) == (indexDir is not null))
                throw new ArgumentException("pass either --gold-context (each question's own paragraph) or --index DIR (retrieved passages).");
            var k = parse.GetValue(topK);
            if (k < 1) throw new ArgumentException("--top-k must be ≥ 1.");
            if (parse.GetValue(parallelism) < 1) throw new ArgumentException("--parallelism must be ≥ 1.");
            var windows = new WindowSettings();
            var settings = new ReadSettings(
                parse.GetValue(mode) == "concat" ? PassageMode.Concat : PassageMode.Separate,
                parse.GetValue(nBest), parse.GetValue(maxAnswerLength), parse.GetValue(retrieverWeight), parse.GetValue(stripParticles))
                .Validate(longestAnswer: windows.MaxSeqLength);
            if (parse.GetValue(threads) is var t and > 0) TorchSharp.torch.set_num_threads(t);

            var modelDir = parse.GetValue(model)!;
            if (!modelDir.Exists) throw new DirectoryNotFoundException($"model folder {modelDir.FullName} not found.");
            var examples = SquadJson.Load(parse.GetValue(dataset)!.FullName).Examples().ToList();
            if (parse.GetValue(limit) is var l and > 0) examples = [.. examples.Take(l)];

            await using var local = LoadReader(modelDir.FullName, parse.GetValue(device)!, parse.GetValue(precision)!, windows);
            if (local.PrecisionFallback is { } fallback) await console.Error.WriteLineAsync($"warning: --precision {parse.GetValue(precision)}: {fallback}");
            await console.Error.WriteLineAsync(
                $"model {modelDir.Name}: {local.Config.ModelType}, {local.Parameters:N0} parameters on {local.Executor.Device} in {local.ElementType}; {examples.Count} questions");
            var reader = new InProcessReader(local.Engine, modelDir.Name, "", windows.MaxSeqLength);

            var (opened, scoringSettings) = indexDir is null ? (null, null) : scoring.OpenIndex(parse, indexDir);
            using var host = opened;
            var retriever = host is null ? null : new InProcessRetriever(new PassageSearcher(host, scoringSettings), Environment.ProcessorCount);
            var pipeline = new OdqaPipeline(retriever, reader);
            var run = new PipelineSettings(settings, host is null ? null : new RetrievalSettings(k), ReadParallelism: parse.GetValue(parallelism));

            var outcomes = new Dictionary<string, QuestionOutcome>(StringComparer.Ordinal);
            var gate = new Lock();
            var clock = Stopwatch.StartNew();
            await pipeline.RunAsync(examples, run, async (outcome, _) =>
            {
                int count;
                lock (gate)
                {
                    outcomes[outcome.Question.Id] = outcome;
                    count = outcomes.Count;
                }
                if (count % 100 == 0 || count == examples.Count)
                {
                    await console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"{count}/{examples.Count} questions, {count / clock.Elapsed.TotalSeconds:F1} questions/s"));
                }
            }, cancellationToken);

            if (host is not null)
            {
                var hits = outcomes.Values.Count(o => o.RetrievalHit == true);
                await console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"retrieved top {k} passages from {indexDir!.FullName}: recall@{k} {(double)hits / Math.Max(1, examples.Count):F4} " +
                    $"({outcomes.Values.Count(o => o.Passages.Count == 0)} questions without searchable words)"));
            }

            var outFile = parse.GetValue(output)!;
            PredictionsJson.Save(examples.Select(e => KeyValuePair.Create(e.Id, outcomes[e.Id].Answer)), outFile.FullName);
            var nbestPath = Path.ChangeExtension(outFile.FullName, ".nbest.json");
            NBestJson.Save(examples.Select(e => KeyValuePair.Create(e.Id, outcomes[e.Id].Reading.Answers)), nbestPath);
            await console.Error.WriteLineAsync($"wrote {outFile.FullName} and {nbestPath}");
            await console.Out.WriteLineAsync(JsonSerializer.Serialize(new { predictions = outFile.FullName, nbest = nbestPath, questions = examples.Count }, Json));
            return 0;
        }));
        return command;
    }

    static LocalReader LoadReader(string folder, string device, string precision, WindowSettings windows)
    {
        try
        {
            return ReaderFactory.Load(folder, device, precision, batching: new BatchingSettings(MaxBatchWindows: 16, MaxQueueDelay: TimeSpan.FromMilliseconds(2)), windows: windows);
        }
        catch (Exception e) when (e is CheckpointException or ModelLoadException or NotSupportedException or InvalidDataException)
        {
            throw new ArgumentException($"cannot load model {folder}: {e.Message}", e);
        }
    }
}
