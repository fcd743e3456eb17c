using System.CommandLine;
using Mrc.Retrieval.Lifecycle;
using Mrc.Retrieval.Search;

namespace Mrc.Cli.Commands;

/// <summary>The scoring options the search, eval and bench commands share, and opening an index for them.</summary>
internal sealed class SearchOptions
{
    // Unset, each takes the value of the index's own settings (bm25 with the k1 and b it was built with).
    readonly Option<float?> k1 = new("--k1") { Description = "BM25 k1 (0..3); default: the index's settings." };
    readonly Option<float?> b = new("--b") { Description = "BM25 b (0..1); default: the index's settings." };
    readonly Option<string> similarity = new("--similarity") { Description = "bm25 or tfidf.", DefaultValueFactory = _ => "bm25" };

    public SearchOptions() => similarity.AcceptOnlyFromAmong("bm25", "tfidf");

    public static Option<DirectoryInfo> Index() =>
        new("--index") { Description = "Index folder written by `mrc index build --out`.", Required = true };

    public void AddTo(Command command)
    {
        command.Options.Add(k1);
        command.Options.Add(b);
        command.Options.Add(similarity);
    }

    /// <summary>The scoring asked for on the command line, over the index's own <paramref name="indexScoring"/>.</summary>
    public ScoringSettings Read(ParseResult parse, ScoringSettings indexScoring)
    {
        float k1Value = parse.GetValue(k1) ?? indexScoring.K1, bValue = parse.GetValue(b) ?? indexScoring.B;
        if (!ScoringSettings.K1InRange(k1Value)) throw new ArgumentException($"--k1 must be between {ScoringSettings.MinK1} and {ScoringSettings.MaxK1}.");
        if (!ScoringSettings.BInRange(bValue)) throw new ArgumentException($"--b must be between {ScoringSettings.MinB} and {ScoringSettings.MaxB}.");
        var kind = parse.GetValue(similarity) == "tfidf" ? SimilarityKind.Tfidf : SimilarityKind.Bm25;
        return new ScoringSettings(kind, k1Value, bValue);
    }

    /// <summary>
    /// Opens an index with the scoring asked for (its own settings where nothing is asked); a missing
    /// or corrupt index becomes a one-line input error.
    /// </summary>
    public (IndexHost Host, ScoringSettings Scoring) OpenIndex(ParseResult parse, DirectoryInfo directory)
    {
        var host = OpenIndex(directory, null);
        ScoringSettings scoring;
        try
        {
            scoring = Read(parse, host.Settings.Scoring);
        }
        catch
        {
            host.Dispose();
            throw;
        }
        if (scoring == host.Settings.Scoring) return (host, scoring);
        // Reopened so that the managed searchers carry the asked-for similarity (no per-query searcher).
        host.Dispose();
        return (OpenIndex(directory, scoring), scoring);
    }

    static IndexHost OpenIndex(DirectoryInfo directory, ScoringSettings? scoring)
    {
        try
        {
            return IndexHost.Open(directory.FullName, scoring);
        }
        catch (IndexUnavailableException e)
        {
            throw new ArgumentException(e.Message, e);
        }
    }
}
