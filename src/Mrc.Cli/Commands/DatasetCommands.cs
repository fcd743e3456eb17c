using System.CommandLine;
using Mrc.Core.Data;
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
        var dataset = new Argument<FileInfo>("dataset") { Description = "SQuAD/KorQuAD JSON whose paragraphs are used (its questions are not)." };
        var output = new Option<FileInfo>("--out") { Description = "SQuAD JSON of synthetic questions for `mrc train reader`.", Required = true };
        var perParagraph = new Option<int>("--per-paragraph") { DefaultValueFactory = _ => 6, Description = "Questions per paragraph, one per sentence." };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 42 };

        var cloze = new Command("cloze", "Synthetic cloze questions: a word of a sentence is the answer, the words around it the question.")
            { dataset, output, perParagraph, seed };
        cloze.SetAction((parse, _) => CommandErrors.Guard(console, async () =>
        {
            int count = parse.GetValue(perParagraph);
            if (count <= 0) throw new ArgumentException("--per-paragraph must be positive");
            var source = SquadJson.Load(parse.GetValue(dataset)!.FullName);
            var synthetic = new ClozeQuestionGenerator(parse.GetValue(seed)).Generate(source, count);
            var file = parse.GetValue(output)!;
            file.Directory?.Create();
            SquadJson.Save(synthetic, file.FullName);
            await console.Out.WriteLineAsync($"{synthetic.QuestionCount} questions from {synthetic.Articles.Count} articles → {file.FullName}");
            return 0;
        }));
        return cloze;
    }
}
