using System.CommandLine;
using Mrc.Core.Data;

namespace Mrc.Cli.Commands;

/// <summary>`mrc dataset split`: the fixed article-level train/dev/test split (see <see cref="ArticleSplit"/>).</summary>
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
        return new Command("dataset", "Dataset tools.") { split };
    }
}
