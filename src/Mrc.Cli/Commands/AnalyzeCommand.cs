using System.CommandLine;
using Mrc.Retrieval.Analysis;
using Mrc.Retrieval.Indexing;
using Mrc.Retrieval.Search;
using Mrc.Retrieval.Settings;

namespace Mrc.Cli.Commands;

/// <summary>
/// `mrc index analyze "텍스트" [--index DIR | --settings FILE | --analyzer NAME]`: the tokens each
/// searched field makes of a text, as Elasticsearch's _analyze shows them, to see what a settings
/// file (stop words, user dictionary, synonyms, words analyzer) does before building with it.
/// </summary>
internal static class AnalyzeCommand
{
    public static Command Create(CliConsole console)
    {
        var text = new Argument<string>("text") { Description = "A question or a passage." };
        var index = new Option<DirectoryInfo?>("--index") { Description = "Analyse as this index does (the settings it was built with)." };
        var settingsFile = new Option<FileInfo?>("--settings") { Description = "Analyse as an index built with this settings file would." };
        var analyzer = new Option<string?>("--analyzer") { Description = $"The default settings with this analyzer: {string.Join(", ", AnalyzerCatalog.Names)}." };
        analyzer.AcceptOnlyFromAmong([.. AnalyzerCatalog.Names]);
        var command = new Command("analyze", "Print the tokens each searched field makes of a text (text, words, title).") { text, index, settingsFile, analyzer };
        command.SetAction((parse, _) => CommandErrors.Guard(console, async () =>
        {
            var settings = Settings(parse.GetValue(index), parse.GetValue(settingsFile), parse.GetValue(analyzer));
            using var chain = AnalyzerCatalog.Create(settings);
            // The text's own fields first (n-grams, then words), the title last.
            foreach (var (field, boost) in QueryBuilder.SearchedFields(settings).OrderBy(f => f.Name == PassageFields.TitleContents))
                await console.Out.WriteLineAsync($"{Describe(field, settings)} (boost {boost}): {string.Join(' ', QueryBuilder.Tokens(chain, parse.GetValue(text)!, field))}");
            return 0;
        }));
        return command;
    }

    static IndexSettings Settings(DirectoryInfo? index, FileInfo? file, string? analyzer)
    {
        if (index is not null && (file is not null || analyzer is not null))
            throw new ArgumentException("--index analyses as that index was built: give --settings or --analyzer without it.");
        if (index is null) return IndexCommands.ReadSettings(file, analyzer);
        using var host = SearchOptions.OpenIndex(index, new ScoringOverride());
        return host.Settings;
    }

    static string Describe(string field, IndexSettings settings) => field switch
    {
        PassageFields.Contents => $"text ({settings.Analyzer})",
        PassageFields.Words => $"words ({settings.WordsAnalyzer})",
        PassageFields.TitleContents => $"title ({settings.Analyzer})",
        _ => field,
    };
}
