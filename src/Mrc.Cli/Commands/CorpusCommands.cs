using System.CommandLine;
using System.Globalization;
using Mrc.Core.Data;
using Mrc.Training.Corpora;
using Mrc.Training.Synthetic;

namespace Mrc.Cli.Commands;

/// <summary>`mrc corpus generate`: a Korean corpus of any size for retrieval speed measurements (see <see cref="ScaleCorpusGenerator"/>).</summary>
internal static class CorpusCommands
{
    public static Command Create(CliConsole console)
    {
        var dataset = new Option<FileInfo>("--dataset")
        {
            Description = "KorQuAD/SQuAD JSON: its second half of articles gives the questions and gold paragraphs, its first half sentences.",
            Required = true,
        };
        var sentenceFiles = new Option<string[]>("--sentences")
        {
            Description = "More Korean text to draw sentences from (plain, JSONL, the KLUE dev files).",
            AllowMultipleArgumentsPerToken = true,
        };
        var passages = new Option<long>("--passages") { Description = "Passages in the corpus, gold paragraphs included.", Required = true };
        var seed = new Option<int>("--seed") { Description = "Seed of every random draw; the same seed and inputs give the same corpus.", DefaultValueFactory = _ => 42 };
        var goldWithin = new Option<int>("--gold-within")
        {
            Description = "The gold paragraphs lie among the first this many passages, so every prefix at least this long holds them all.",
            DefaultValueFactory = _ => ScaleCorpusGenerator.DefaultGoldWithin,
        };
        var output = new Option<FileInfo>("--out") { Description = "The corpus, JSON Lines {id, title, text}.", Required = true };
        var questionsOut = new Option<FileInfo?>("--questions-out")
        {
            Description = "The questions with their gold paragraphs as context (JSON Lines); default: beside --out, NAME.questions.jsonl.",
        };

        var generate = new Command("generate", "Write a Korean passage corpus of any size made from real sentences, with KorQuAD questions whose paragraphs it holds.")
        {
            dataset, sentenceFiles, passages, seed, goldWithin, output, questionsOut,
        };
        generate.SetAction((parse, cancellationToken) => CommandErrors.Guard(console, async () =>
        {
            long count = parse.GetValue(passages);
            if (count <= 0) throw new ArgumentException($"--passages must be positive, not {count}.");
            int within = parse.GetValue(goldWithin);
            if (within <= 0) throw new ArgumentException($"--gold-within must be positive, not {within}.");
            var files = parse.GetValue(sentenceFiles) ?? [];
            foreach (var path in files)
                if (!File.Exists(path)) throw new FileNotFoundException($"sentence file not found: {path}", path);
            var corpusFile = parse.GetValue(output)!;
            var questionsFile = parse.GetValue(questionsOut) ?? new FileInfo(QuestionsPathBeside(corpusFile.FullName));

            var generator = ScaleCorpusGenerator.From(SquadJson.Load(parse.GetValue(dataset)!.FullName), TextCorpusReader.ReadAll(files));
            await console.Error.WriteLineAsync(
                $"{generator.Questions.Count} questions, {generator.GoldPassages.Count} gold paragraphs, {generator.SentenceCount} sentences to draw from");
            long written = generator.Write(corpusFile.FullName, count, parse.GetValue(seed), within, new Lines(console.Error), cancellationToken);

            questionsFile.Directory?.Create();
            string temporary = questionsFile.FullName + ".tmp";
            QuestionJsonl.Save(generator.Questions, temporary);
            File.Move(temporary, questionsFile.FullName, overwrite: true);
            await console.Out.WriteLineAsync(
                $"wrote {written} passages ({generator.GoldPassages.Count} gold) → {corpusFile.FullName}; {generator.Questions.Count} questions → {questionsFile.FullName}");
            return 0;
        }));
        return new Command("corpus", "Corpus tools.") { generate };
    }

    /// <summary>corpus.jsonl → corpus.questions.jsonl in the same folder.</summary>
    internal static string QuestionsPathBeside(string corpusPath) =>
        Path.Combine(Path.GetDirectoryName(corpusPath)!, Path.GetFileNameWithoutExtension(corpusPath) + ".questions.jsonl");

    /// <summary>One line per report: <c>generated 120000/1000000 passages (12%), 45000 passages/s, 2.7 s</c>.</summary>
    sealed class Lines(TextWriter error) : IProgress<ScaleCorpusProgress>
    {
        public void Report(ScaleCorpusProgress p) => error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"generated {p.Written}/{p.Total} passages ({100.0 * p.Written / p.Total:F0}%), {(p.Elapsed.TotalSeconds > 0 ? p.Written / p.Elapsed.TotalSeconds : 0):F0} passages/s, {p.Elapsed.TotalSeconds:F1} s"));
    }
}
