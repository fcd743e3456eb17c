using System.CommandLine;
using Mrc.Core.Data;
using Mrc.Training.Corpora;
using Mrc.Training.Synthetic;

namespace Mrc.Cli.Commands;

/// <summary>
/// `mrc dataset split`: the fixed article-level train/dev/test split (see <see cref="ArticleSplit"/>);
/// `mrc dataset cloze`: synthetic questions from a dataset's paragraphs (see <see cref="ClozeQuestionGenerator"/>).
/// </summary>
internal static class DatasetCommands
{
    public static Command Create(CliConsole console)
    {
        var dataset = new Argument<FileInfo>("dataset") { Description = "SQuAD/KorQuAD JSON to split by article." };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for train.json, dev.json and test.json.", Required = true };

        var split = new Command("split", "Split a dataset by article: positions ending in 0/5 → test, 3 → dev, others → train.") { dataset, output };
        split.SetAction((parse, _) => CommandErrors.Guard(console, async () =>
        {
            var source = SquadJson.Load(parse.GetValue(dataset)!.FullName);
            var folder = parse.GetValue(output)!;
            folder.Create();
            foreach (var part in Enum.GetValues<SplitPart>())
            {
                var selected = ArticleSplit.Select(source, part);
                string path = Path.Combine(folder.FullName, part.ToString().ToLowerInvariant() + ".json");
                SquadJson.Save(selected, path);
                await console.Out.WriteLineAsync(
                    $"{part.ToString().ToLowerInvariant(),-5} {selected.Articles.Count,4} articles {selected.QuestionCount,6} questions → {path}");
            }
            return 0;
        }));
        return new Command("dataset", "Dataset tools.") { split, Cloze(console) };
    }

    static Command Cloze(CliConsole console)
    {
        var dataset = new Argument<FileInfo?>("dataset")
            { Description = "SQuAD/KorQuAD JSON whose paragraphs are used (its questions are not).", Arity = ArgumentArity.ZeroOrOne };
        var corpus = new Option<string[]>("--corpus")
            { Description = "Unlabelled text files (plain, JSONL, KLUE) whose sentences, grouped in order, become paragraphs too.", AllowMultipleArgumentsPerToken = true };
        var sentencesPerParagraph = new Option<int>("--sentences-per-paragraph") { DefaultValueFactory = _ => 8, Description = "Corpus sentences per paragraph." };
        var output = new Option<FileInfo>("--out") { Description = "SQuAD JSON of synthetic questions for `mrc train reader`.", Required = true };
        var perParagraph = new Option<int>("--per-paragraph") { DefaultValueFactory = _ => 6, Description = "Questions per paragraph, one per sentence." };
        var contextSentences = new Option<int>("--context-sentences")
            { DefaultValueFactory = _ => 0, Description = "0: questions keep the whole paragraph; N: each question's context is its sentence and N sentences on each side." };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 42 };

        var cloze = new Command("cloze", "Synthetic cloze questions: a word of a sentence is the answer, the words around it the question.")
            { dataset, corpus, sentencesPerParagraph, output, perParagraph, contextSentences, seed };
        cloze.SetAction((parse, _) => CommandErrors.Guard(console, async () =>
        {
            int count = parse.GetValue(perParagraph), around = parse.GetValue(contextSentences), grouped = parse.GetValue(sentencesPerParagraph);
            if (count <= 0) throw new ArgumentException("--per-paragraph must be positive");
            if (around < 0) throw new ArgumentException("--context-sentences must be 0 or more");
            if (grouped <= 0) throw new ArgumentException("--sentences-per-paragraph must be positive");
            var corpusFiles = parse.GetValue(corpus) ?? [];
            var datasetFile = parse.GetValue(dataset);
            if (datasetFile is null && corpusFiles.Length == 0) throw new ArgumentException("give a dataset, --corpus files, or both");
            foreach (var path in corpusFiles)
                if (!File.Exists(path)) throw new FileNotFoundException($"corpus file not found: {path}", path);

            var generator = new ClozeQuestionGenerator(parse.GetValue(seed));
            var articles = new List<Article>();
            if (datasetFile is not null) articles.AddRange(generator.Generate(SquadJson.Load(datasetFile.FullName), count, around).Articles);
            if (corpusFiles.Length > 0)
            {
                var paragraphs = ClozeQuestionGenerator.ParagraphsOf(TextCorpusReader.ReadAll(corpusFiles), grouped, "corpus");
                articles.AddRange(generator.Generate(paragraphs, count, around, "cloze-corpus").Articles);
            }
            var synthetic = new SquadDataset("synthetic-cloze", articles);
            var file = parse.GetValue(output)!;
            file.Directory?.Create();
            SquadJson.Save(synthetic, file.FullName);
            await console.Out.WriteLineAsync($"{synthetic.QuestionCount} questions from {synthetic.Articles.Count} articles → {file.FullName}");
            return 0;
        }));
        return cloze;
    }
}
