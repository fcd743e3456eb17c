using System.CommandLine;
using System.Diagnostics;
using Mrc.Retrieval.Analysis;
using Mrc.Retrieval.Indexing;
using Mrc.Retrieval.Settings;

namespace Mrc.Cli.Commands;

/// <summary>`mrc index build`: reads a corpus and publishes a new Lucene index generation in DIR.</summary>
internal static class IndexCommands
{
    public static Command Create(CliConsole console)
    {
        var defaults = new IndexBuildOptions();
        var corpus = new Option<FileInfo>("--corpus")
        {
            Description = "Corpus: wikipedia_documents.json form, SQuAD/KorQuAD JSON (each distinct context is a document) or JSON Lines {id, title, text}.",
            Required = true,
        };
        var output = new Option<DirectoryInfo>("--out") { Description = "Index folder; an index already there keeps serving until the new one is complete.", Required = true };
        var analyzer = new Option<string?>("--analyzer")
        {
            Description = $"Analyzer: {string.Join(", ", AnalyzerCatalog.Names)} (default {AnalyzerCatalog.Default}); with --settings, give it there instead.",
        };
        analyzer.AcceptOnlyFromAmong([.. AnalyzerCatalog.Names]);
        var settingsFile = new Option<FileInfo?>("--settings")
        {
            Description = "Index settings (JSON): analyzer, stop words, user dictionary, synonyms, field boosts, BM25 k1/b; see docs/retrieval.md. Stored with the index.",
        };
        var chunkSize = new Option<int>("--chunk-size")
        {
            Description = "Longest passage in characters; 0 indexes every document whole.",
            DefaultValueFactory = _ => defaults.ChunkSize,
        };
        var chunkOverlap = new Option<int>("--chunk-overlap")
        {
            Description = "Characters shared by consecutive passages of one document.",
            DefaultValueFactory = _ => defaults.ChunkOverlap,
        };
        var ifMissing = new Option<bool>("--if-missing") { Description = "Do nothing when --out already holds a published index (first-start bootstrapping)." };
        var titlePrefix = new Option<bool>("--title-prefix") { Description = "Index each passage as \"title\\npassage\"." };

        var build = new Command("build", "Build a BM25 index of a corpus (exact-duplicate texts are indexed once).")
        {
            corpus, output, settingsFile, analyzer, chunkSize, chunkOverlap, titlePrefix, ifMissing,
        };
        build.SetAction((parse, cancellationToken) => CommandErrors.Guard(console, async () =>
        {
            var options = new IndexBuildOptions
            {
                Settings = ReadSettings(parse.GetValue(settingsFile), parse.GetValue(analyzer)),
                ChunkSize = parse.GetValue(chunkSize),
                ChunkOverlap = parse.GetValue(chunkOverlap),
                TitlePrefix = parse.GetValue(titlePrefix),
            };
            options.Validate();
            if (parse.GetValue(ifMissing) && IndexLayout.ReadCurrent(parse.GetValue(output)!.FullName) is { } current)
            {
                await console.Out.WriteLineAsync($"index already present: {current.Path}");
                return 0;
            }
            var clock = Stopwatch.StartNew();
            var source = parse.GetValue(corpus)!;
            await console.Error.WriteLineAsync($"reading {source.FullName}");
            var ingested = CorpusIngest.Load(source.FullName);

            IndexBuildResult result;
            try
            {
                result = IndexBuilder.Build(ingested, parse.GetValue(output)!.FullName, options, new BuildProgressLines(console.Error), cancellationToken);
            }
            catch (IndexBusyException e)
            {
                await console.Error.WriteLineAsync($"error: {e.Message}");
                return CommandErrors.InputError;
            }
            var m = result.Metadata;
            await console.Out.WriteLineAsync(
                $"indexed {m.DocumentCount} documents ({m.DuplicatesSkipped} duplicates skipped) as {m.PassageCount} passages "
                + $"with {m.Analyzer} in {clock.Elapsed.TotalSeconds:F1} s: {result.GenerationPath}");
            return 0;
        }));

        return new Command("index", "Build retrieval indexes.") { build };
    }

    /// <summary>The settings file's content, or the defaults with the analyzer named on the command line.</summary>
    internal static IndexSettings ReadSettings(FileInfo? file, string? analyzer)
    {
        if (file is null) return analyzer is null ? IndexSettings.Default : IndexSettings.Default with { Analyzer = analyzer };
        if (analyzer is not null)
            throw new ArgumentException($"--analyzer and --settings both name the analyzer: set \"{IndexSettingsFile.Keys.Analyzer}\" in {file.Name} instead.");
        return IndexSettingsFile.Load(file.FullName);
    }

}

/// <summary>
/// Writes build progress to stderr synchronously (IProgress&lt;T&gt;'s Progress class would post it
/// to the thread pool, out of order): one line a second while documents are added, e.g.
/// <c>indexing: 120000 documents, 120000 passages, 8123 passages/s, 14.8 s</c>.
/// </summary>
internal sealed class BuildProgressLines(TextWriter error) : IProgress<IndexBuildProgress>
{
    public void Report(IndexBuildProgress value) => error.WriteLine(Line(value));

    public static string Line(IndexBuildProgress value) => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{value.Stage}: {value.DocumentsDone} documents, {value.PassagesWritten} passages, {value.PassagesPerSecond:F0} passages/s, {value.Elapsed.TotalSeconds:F1} s");
}
