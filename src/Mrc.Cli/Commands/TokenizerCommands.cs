using System.CommandLine;
using System.Diagnostics;
using System.Text.Encodings.Web;
using System.Text.Json;
using Mrc.Core.Text;
using Mrc.Reading.Tokenization;
using Mrc.Training.Corpora;
using Mrc.Training.Vocabulary;

namespace Mrc.Cli.Commands;

/// <summary>
/// `mrc tokenizer train`: a WordPiece vocabulary (HF vocab.txt + tokenizer config) learnt from Korean text.
/// `mrc tokenize`: the reader's tokenization of stdin lines, for parity checks against Hugging Face.
/// </summary>
internal static class TokenizerCommands
{
    static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create(CliConsole console)
    {
        var corpus = new Option<string[]>("--corpus")
        {
            Description = "Text files: plain text, .jsonl, KorQuAD/SQuAD .json, or KLUE dev files (klue-*.json/.tsv).",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var vocabSize = new Option<int>("--vocab-size") { Description = "Vocabulary size including special tokens.", DefaultValueFactory = _ => 16000 };
        var minFrequency = new Option<int>("--min-frequency") { Description = "Ignore characters and merges seen fewer times.", DefaultValueFactory = _ => 2 };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for vocab.txt, tokenizer_config.json, special_tokens_map.json.", Required = true };

        var train = new Command("train", "Learn a WordPiece vocabulary from Korean text.") { corpus, vocabSize, minFrequency, output };
        train.SetAction((parse, _) => CommandErrors.Guard(console, async () =>
        {
            var files = parse.GetValue(corpus)!;
            int size = parse.GetValue(vocabSize);
            if (size < 16) throw new ArgumentException("--vocab-size must be at least 16");
            var watch = Stopwatch.StartNew();
            var texts = TextCorpusReader.ReadAll(files).ToList();
            await console.Error.WriteLineAsync($"read {texts.Count:N0} texts from {files.Length} file(s)");

            var trainer = new WordPieceVocabularyTrainer
            {
                VocabularySize = size,
                MinFrequency = parse.GetValue(minFrequency),
                Progress = new Progress<(int Done, int Total)>(p => console.Error.WriteLine($"merges {p.Done:N0}/{p.Total:N0}")),
            };
            var vocabulary = trainer.Train(texts);
            string folder = parse.GetValue(output)!.FullName;
            WordPieceVocabularyTrainer.Save(vocabulary, folder);
            await console.Out.WriteLineAsync($"wrote {vocabulary.Count:N0} tokens to {Path.Combine(folder, "vocab.txt")} in {watch.Elapsed.TotalSeconds:F1} s");
            return 0;
        }));
        return new Command("tokenizer", "Tokenizer tools.") { train };
    }

    public static Command Tokenize(CliConsole console) => Tokenize(console, Console.In);

    internal static Command Tokenize(CliConsole console, TextReader input)
    {
        var model = new Option<DirectoryInfo>("--model") { Description = "Folder with tokenizer.json, sentencepiece.bpe.model, vocab.json + merges.txt, or vocab.txt (+ tokenizer_config.json).", Required = true };
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
            var tokenizer = TokenizerLoader.FromFolder(folder.FullName);
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
}
