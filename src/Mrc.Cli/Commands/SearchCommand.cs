using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Mrc.Retrieval.Search;

namespace Mrc.Cli.Commands;

/// <summary>`mrc search --index DIR "질문"`: the top passages for one question.</summary>
internal static class SearchCommand
{
    const int SnippetChars = 120;

    public static Command Create(CliConsole console)
    {
        var index = SearchOptions.Index();
        var query = new Argument<string>("query") { Description = "The question, in natural language." };
        var k = new Option<int>("--k") { Description = "Passages to show.", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "Print the passages as JSON lines, whole text included." };
        var scoring = new SearchOptions();
        var command = new Command("search", "Search an index and print the best passages.") { index, query, k, json };
        scoring.AddTo(command);
        command.SetAction((parse, _) => CommandErrors.Guard(console, async () =>
        {
            int top = parse.GetValue(k);
            if (top <= 0) throw new ArgumentException($"--k must be positive, not {top}.");
            var (host, settings) = scoring.OpenIndex(parse, parse.GetValue(index)!);
            using var ownedHost = host;
            var result = new PassageSearcher(host, settings).Search(parse.GetValue(query)!, top);
            bool asJson = parse.GetValue(json);
            foreach (var hit in result.Hits)
            {
                var p = hit.Passage;
                if (asJson)
                {
                    await console.Out.WriteLineAsync(JsonSerializer.Serialize(new
                    {
                        rank = hit.Rank, score = hit.Score, id = p.Id, document_id = p.DocumentId, title = p.Title,
                        start_char = p.StartChar, end_char = p.EndChar, text = p.Text,
                    }, JsonOptions));
                    continue;
                }
                string snippet = p.Text.Length <= SnippetChars ? p.Text : p.Text[..SnippetChars] + "…";
                await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{hit.Rank,3}  {hit.Score,7:F3}  {p.Id}  [{p.Title}]  {snippet.ReplaceLineEndings(" ")}"));
            }
            await console.Error.WriteLineAsync($"{(result.TotalHitsIsLowerBound ? "at least " : "")}{result.TotalHits} passages matched");
            return 0;
        }));
        return command;
    }

    static readonly JsonSerializerOptions JsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
