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

    /// <summary>The scoring asked for on the command line; what is not asked for stays the index's own.</summary>
    public ScoringOverride Read(ParseResult parse)
    {
        float? k1Value = parse.GetValue(k1), bValue = parse.GetValue(b);
        if (k1Value is { } k && !ScoringSettings.K1InRange(k)) throw new ArgumentException($"--k1 must be between {ScoringSettings.MinK1} and {ScoringSettings.MaxK1}.");
        if (bValue is { } bv && !ScoringSettings.BInRange(bv)) throw new ArgumentException($"--b must be between {ScoringSettings.MinB} and {ScoringSettings.MaxB}.");
        var kind = parse.GetValue(similarity) == "tfidf" ? SimilarityKind.Tfidf : SimilarityKind.Bm25;
        return new ScoringOverride(kind, k1Value, bValue);
    }

    /// <summary>
    /// Opens an index with the scoring asked for over its own settings, and says what that scoring
    /// is; a missing or corrupt index becomes a one-line input error.
    /// </summary>
    public (IndexHost Host, ScoringSettings Scoring) OpenIndex(ParseResult parse, DirectoryInfo directory)
    {
        var host = OpenIndex(directory, Read(parse));
        using var lease = host.Acquire();
        return (host, lease.Index.Scoring);
    }

    /// <summary>Opens an index; a missing or corrupt one becomes a one-line input error.</summary>
    public static IndexHost OpenIndex(DirectoryInfo directory, ScoringOverride scoring)
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
