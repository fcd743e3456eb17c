using System.CommandLine;
using System.Diagnostics;
using Mrc.Retrieval.Analysis;
using Mrc.Retrieval.Elasticsearch;
using Mrc.Retrieval.Indexing;
using Mrc.Retrieval.Settings;

namespace Mrc.Cli.Commands;

/// <summary>
/// `mrc index build`: reads a corpus and publishes a new Lucene index generation in DIR, or with
/// `--backend elasticsearch` a new Elasticsearch index behind the alias `--index NAME`.
/// </summary>
internal static class IndexCommands
{
    const string Lucene = "lucene", Elasticsearch = "elasticsearch";

    /// <summary>Credentials come from the environment, never the command line (which other users can see).</summary>
    const string ApiKeyVariable = "ELASTICSEARCH_API_KEY", UsernameVariable = "ELASTICSEARCH_USERNAME", PasswordVariable = "ELASTICSEARCH_PASSWORD";

    public static Command Create(CliConsole console)
    {
        var defaults = new IndexBuildOptions();
        var corpus = new Option<FileInfo>("--corpus")
        {
            Description = "Corpus: wikipedia_documents.json form, SQuAD/KorQuAD JSON (each distinct context is a document) or JSON Lines {id, title, text}.",
            Required = true,
        };
        var output = new Option<DirectoryInfo?>("--out") { Description = "Index folder (lucene); an index already there keeps serving until the new one is complete." };
        var backend = new Option<string>("--backend")
        {
            Description = "Where the index goes: lucene (a folder, --out) or elasticsearch (a server, --url and --index).",
            DefaultValueFactory = _ => Lucene,
        };
        backend.AcceptOnlyFromAmong(Lucene, Elasticsearch);
        var url = new Option<string?>("--url")
        {
            Description = $"Elasticsearch server (elasticsearch), such as http://127.0.0.1:9200; credentials from {ApiKeyVariable}, or {UsernameVariable} and {PasswordVariable}.",
        };
        var alias = new Option<string?>("--index")
        {
            Description = "Alias the services search (elasticsearch); it moves to the new index only once that is complete.",
        };
        var analyzer = new Option<string?>("--analyzer")
        {
            Description = $"Analyzer: {string.Join(", ", AnalyzerCatalog.Names)} (default {AnalyzerCatalog.Default}); with --settings, give it there instead.",
        };
        analyzer.AcceptOnlyFromAmong([.. AnalyzerCatalog.Names]);
        var settingsFile = new Option<FileInfo?>("--settings")
        {
            Description = "Index settings (JSON): analyzer, words analyzer, stop words, user dictionary, synonyms, field boosts, BM25 k1/b; see docs/retrieval.md. Stored with the index.",
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
            corpus, output, backend, url, alias, settingsFile, analyzer, chunkSize, chunkOverlap, titlePrefix, ifMissing,
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
            bool toElasticsearch = parse.GetValue(backend) == Elasticsearch;
            CheckTarget(toElasticsearch, parse.GetValue(output), parse.GetValue(url), parse.GetValue(alias), parse.GetValue(ifMissing));
            if (parse.GetValue(ifMissing) && IndexLayout.ReadCurrent(parse.GetValue(output)!.FullName) is { } current)
            {
                await console.Out.WriteLineAsync($"index already present: {current.Path}");
                return 0;
            }
            var clock = Stopwatch.StartNew();
            var source = parse.GetValue(corpus)!;
            await console.Error.WriteLineAsync($"reading {source.FullName}");
            var ingested = CorpusIngest.Load(source.FullName);
            if (toElasticsearch)
            {
                var server = new ElasticsearchServer(Connection(parse.GetValue(url)!));
                var built = await ElasticsearchIndexBuilder.BuildAsync(ingested, server, parse.GetValue(alias)!, options, new BuildProgressLines(console.Error), cancellationToken);
                var e = built.Metadata;
                await console.Out.WriteLineAsync(
                    $"indexed {e.DocumentCount} documents ({e.DuplicatesSkipped} duplicates skipped) as {e.PassageCount} passages "
                    + $"with {e.Analyzer} in {clock.Elapsed.TotalSeconds:F1} s: Elasticsearch index {built.ConcreteIndex}, alias {built.Alias}, at {server.Connection}");
                return 0;
            }

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

        return new Command("index", "Build retrieval indexes, and see how they analyse text.") { build, AnalyzeCommand.Create(console) };
    }

    /// <summary>Each backend's own options, and none of the other's.</summary>
    static void CheckTarget(bool toElasticsearch, DirectoryInfo? output, string? url, string? alias, bool ifMissing)
    {
        if (!toElasticsearch)
        {
            if (output is null) throw new ArgumentException("--out is required: the folder to build the index in (or --backend elasticsearch with --url and --index).");
            if (url is not null || alias is not null) throw new ArgumentException("--url and --index are for --backend elasticsearch; a Lucene index goes to --out.");
            return;
        }
        if (output is not null || ifMissing) throw new ArgumentException("--out and --if-missing are for Lucene index folders; with --backend elasticsearch give --url and --index.");
        if (url is null || alias is null) throw new ArgumentException("--backend elasticsearch needs --url (the server) and --index (the alias to publish under).");
        if (ElasticsearchConnection.Problem(url, null, null, null) is { } problem) throw new ArgumentException($"--url: {problem}");
        if (ElasticsearchIndexBuilder.AliasProblem(alias) is { } name) throw new ArgumentException($"--index: {name}");
    }

    static ElasticsearchConnection Connection(string url)
    {
        string? apiKey = Environment.GetEnvironmentVariable(ApiKeyVariable), username = Environment.GetEnvironmentVariable(UsernameVariable),
            password = Environment.GetEnvironmentVariable(PasswordVariable);
        if (ElasticsearchConnection.Problem(url, apiKey, username, password) is { } problem)
            throw new ArgumentException($"{ApiKeyVariable}, {UsernameVariable}, {PasswordVariable}: {problem}");
        return new ElasticsearchConnection(new Uri(url), apiKey, username, password);
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
