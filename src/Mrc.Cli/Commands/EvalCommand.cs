using System.CommandLine;
using Mrc.Core.Data;
using Mrc.Core.Metrics;

namespace Mrc.Cli.Commands;

/// <summary>
/// `mrc eval DATASET PREDICTIONS`: KorQuAD 1.0 EM/F1, printed as the official script prints it
/// (last stdout line: <c>{"exact_match": …, "f1": …}</c>); unanswered questions are reported on stderr.
/// </summary>
internal static class EvalCommand
{
    const string ExpectedVersion = "KorQuAD_v1.0";

    public static Command Create(CliConsole console)
    {
        var dataset = new Argument<FileInfo>("dataset") { Description = "KorQuAD/SQuAD JSON (or .jsonl) with gold answers." };
        var predictions = new Argument<FileInfo>("predictions") { Description = "JSON object {\"question id\": \"answer text\"}." };
        var details = new Option<bool>("--details") { Description = "Also print question and unanswered counts and each unanswered id on stdout." };

        var command = new Command("eval", "Score predictions with the official KorQuAD 1.0 Exact Match and F1.")
        {
            dataset, predictions, details,
        };
        command.SetAction((parse, _) => CommandErrors.Guard(console, async () =>
        {
            var datasetFile = parse.GetValue(dataset)!;
            var questions = LoadQuestions(datasetFile.FullName, console);
            var answers = PredictionsJson.Load(parse.GetValue(predictions)!.FullName);

            var result = KorQuadMetrics.Evaluate(
                questions.Select(q => (q.Id, (IReadOnlyList<string>)q.Answers.Select(a => a.Text).ToList())),
                answers);

            foreach (var id in result.Unanswered)
                await console.Error.WriteLineAsync($"Unanswered question {id} will receive score 0.");
            if (parse.GetValue(details))
                await console.Out.WriteLineAsync(
                    $"questions: {result.QuestionCount}, answered: {result.QuestionCount - result.Unanswered.Count}, unanswered: {result.Unanswered.Count}");
            else if (result.Unanswered.Count > 0)
                await console.Error.WriteLineAsync($"{result.Unanswered.Count} of {result.QuestionCount} questions were unanswered.");

            await console.Out.WriteLineAsync(result.ToOfficialJson());
            return 0;
        }));
        return command;
    }

    static IReadOnlyList<QuestionExample> LoadQuestions(string path, CliConsole console)
    {
        if (path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase)) return QuestionJsonl.Load(path);
        var dataset = SquadJson.Load(path);
        if (dataset.Version != ExpectedVersion)
            console.Error.WriteLine($"Evaluation expects {ExpectedVersion}, but got dataset with {dataset.Version}");
        return dataset.Examples().ToList();
    }
}
