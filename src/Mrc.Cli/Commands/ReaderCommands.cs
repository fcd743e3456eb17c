using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Mrc.Core.Data;
using Mrc.Reader;
using Mrc.Reader.Checkpoints;
using Mrc.Reader.Inference;
using Mrc.Reader.Models;
using Mrc.Reader.Tokenization;
using Mrc.Retriever.Search;

namespace Mrc.Cli.Commands;

/// <summary>
/// `mrc predict`: run a reader model folder over a KorQuAD/SQuAD file in-process.
/// `mrc tokenize`: the reader's tokenization of stdin lines, for parity checks against Hugging Face.
/// </summary>
internal static class ReaderCommands
{
    static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    static readonly JsonSerializerOptions IndentedJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, WriteIndented = true };

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
        var nBest = new Option<int>("--n-best") { Description = "Answers per question in the n-best file (1..20).", DefaultValueFactory = _ => ReaderEngine.NBestSize };
        var maxAnswerLength = new Option<int>("--max-answer-length") { Description = "Longest answer in tokens.", DefaultValueFactory = _ => 30 };
        var stripParticles = new Option<bool>("--strip-particles") { Description = "Remove one trailing Korean particle from each answer." };
        var limit = new Option<int>("--limit") { Description = "Only the first N questions (0 = all)." };

        var command = new Command("predict", "Answer a dataset's questions with a reader model (in-process) and write predictions.")
        {
            dataset, model, goldContext, index, topK, mode, retrieverWeight, output, device, threads, nBest, maxAnswerLength, stripParticles, limit,
        };
        scoring.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandErrors.Guard(console, async () =>
        {
            var indexDir = parse.GetValue(index);
            if (parse.GetValue(goldContext) == (indexDir is not null))
                throw new ArgumentException("pass either --gold-context (each question's own paragraph) or --index DIR (retrieved passages).");
            var k = parse.GetValue(topK);
            if (k < 1) throw new ArgumentException("--top-k must be ≥ 1.");
            var weight = parse.GetValue(retrieverWeight);
            if (!float.IsFinite(weight) || weight < 0) throw new ArgumentException("--retriever-weight must be a finite number ≥ 0.");
            var passageMode = parse.GetValue(mode) == "concat" ? PassageMode.Concat : PassageMode.Separate;
            if (passageMode == PassageMode.Concat && weight > 0) throw new ArgumentException("--retriever-weight applies to --mode separate only.");
            var n = parse.GetValue(nBest);
            if (n is < 1 or > ReaderEngine.NBestSize) throw new ArgumentException($"--n-best must be in 1..{ReaderEngine.NBestSize}.");
            if (parse.GetValue(maxAnswerLength) < 1) throw new ArgumentException("--max-answer-length must be ≥ 1.");
            if (parse.GetValue(threads) is var t and > 0) TorchSharp.torch.set_num_threads(t);

            var modelDir = parse.GetValue(model)!;
            if (!modelDir.Exists) throw new DirectoryNotFoundException($"model folder {modelDir.FullName} not found.");
            var examples = SquadJson.Load(parse.GetValue(dataset)!.FullName).Examples().ToList();
            if (parse.GetValue(limit) is var l and > 0) examples = [.. examples.Take(l)];

            await using var reader = LoadReader(modelDir.FullName, parse.GetValue(device)!);
            await console.Error.WriteLineAsync(
                $"model {modelDir.Name}: {reader.Config.ModelType}, {reader.Parameters:N0} parameters on {reader.Executor.Device}; {examples.Count} questions");

            var passages = indexDir is null
                ? examples.Select(e => (IReadOnlyList<PassageInput>)[new PassageInput(e.Id, e.Context ?? "")]).ToList()
                : await RetrieveAsync(console, indexDir, scoring.Read(parse), examples, k);
            var settings = new ReadSettings(passageMode, n, parse.GetValue(maxAnswerLength), weight, parse.GetValue(stripParticles));
            var results = new (string Text, IReadOnlyList<ReaderAnswer> Answers)[examples.Count];
            var done = 0;
            var clock = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(0, examples.Count),
                new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
                async (i, ct) =>
                {
                    var example = examples[i];
                    var answers = passages[i].Count == 0
                        ? []
                        : await reader.Engine.ReadAsync(example.Question, passages[i], settings, ct);
                    results[i] = (answers.Count > 0 ? answers[0].Text : "", answers);
                    var count = Interlocked.Increment(ref done);
                    if (count % 100 == 0 || count == examples.Count)
                    {
                        await console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                            $"{count}/{examples.Count} questions, {count / clock.Elapsed.TotalSeconds:F1} questions/s"));
                    }
                });

            var outFile = parse.GetValue(output)!;
            PredictionsJson.Save(examples.Select((e, i) => KeyValuePair.Create(e.Id, results[i].Text)), outFile.FullName);
            var nbestPath = Path.ChangeExtension(outFile.FullName, ".nbest.json");
            var nbest = examples.Select((e, i) => (e, i)).ToDictionary(p => p.e.Id, p => results[p.i].Answers.Select(a => new
            {
                text = a.Text,
                probability = a.Probability,
                score = a.Score,
                passage_id = a.PassageId,
                start_char = TextOffsets.ToCodePoints(passages[p.i][a.PassageIndex].Text, a.StartChar),
                end_char = TextOffsets.ToCodePoints(passages[p.i][a.PassageIndex].Text, a.EndChar),
            }).ToList());
            await File.WriteAllTextAsync(nbestPath, JsonSerializer.Serialize(nbest, IndentedJson), cancellationToken);
            await console.Error.WriteLineAsync($"wrote {outFile.FullName} and {nbestPath}");
            await console.Out.WriteLineAsync(JsonSerializer.Serialize(new { predictions = outFile.FullName, nbest = nbestPath, questions = examples.Count }, Json));
            return 0;
        }));
        return command;
    }

    public static Command Tokenize(CliConsole console) => Tokenize(console, Console.In);

    internal static Command Tokenize(CliConsole console, TextReader input)
    {
        var model = new Option<DirectoryInfo>("--model") { Description = "Folder with tokenizer.json, or vocab.txt (+ tokenizer_config.json).", Required = true };
        var command = new Command("tokenize",
            "Tokenize stdin, one text per line, as the reader does: one JSON line {\"ids\": [...], \"offsets\": [[start, end], ...]} per text, " +
            "offsets in Unicode code points of the input line, special tokens excluded.")
        {
            model,
        };
        command.SetAction((parse, cancellationToken) => CommandErrors.Guard(console, async () =>
        {
            var folder = parse.GetValue(model)!;
            if (!folder.Exists) throw new DirectoryNotFoundException($"model folder {folder.FullName} not found.");
            var tokenizer = WordPieceTokenizer.FromFolder(folder.FullName);
            string? line;
            while ((line = await input.ReadLineAsync(cancellationToken)) is not null)
            {
                var encoded = tokenizer.Encode(line);
                var offsets = encoded.Offsets.Select(o => new[] { TextOffsets.ToCodePoints(line, o.Start), TextOffsets.ToCodePoints(line, o.End) });
                await console.Out.WriteLineAsync(JsonSerializer.Serialize(new { ids = encoded.Ids, offsets }, Json));
            }
            return 0;
        }));
        return command;
    }

    /// <summary>The top <paramref name="k"/> passages of the index for every question (none for a question without searchable words).</summary>
    static async Task<List<IReadOnlyList<PassageInput>>> RetrieveAsync(
        CliConsole console, DirectoryInfo indexDir, ScoringSettings scoring, List<QuestionExample> examples, int k)
    {
        using var host = SearchOptions.OpenIndex(indexDir, scoring);
        var searcher = new PassageSearcher(host, scoring);
        var result = new List<IReadOnlyList<PassageInput>>(examples.Count);
        var unsearchable = 0;
        foreach (var example in examples)
        {
            try
            {
                result.Add([.. searcher.Search(example.Question, k).Hits.Select(h => new PassageInput(h.Passage.Id, h.Passage.Text, h.Score))]);
            }
            catch (QueryHasNoTermsException)
            {
                unsearchable++;
                result.Add([]);
            }
        }
        await console.Error.WriteLineAsync($"retrieved top {k} passages from {indexDir.FullName} ({unsearchable} questions without searchable words)");
        return result;
    }

    static LocalReader LoadReader(string folder, string device)
    {
        try
        {
            return ReaderFactory.Load(folder, device, batching: new BatchingSettings(MaxBatchWindows: 16, MaxQueueDelay: TimeSpan.FromMilliseconds(2)));
        }
        catch (Exception e) when (e is CheckpointException or ModelLoadException or NotSupportedException or InvalidDataException)
        {
            throw new ArgumentException($"cannot load model {folder}: {e.Message}", e);
        }
    }
}
