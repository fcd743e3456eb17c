using System.CommandLine;
using Mrc.Retrieval.Lifecycle;
using Mrc.Retrieval.Search;

namespace Mrc.Cli.Commands;

/// <summary>The scoring options the search, eval and bench commands share, and opening an index for them.</summary>
internal sealed class SearchOptions
{
    // The tuned defaults the retriever service also starts with; see docs/retrieval.md for how they were tuned.
    readonly Option<float> k1 = new("--k1") { Description = "BM25 k1 (0..3).", DefaultValueFactory = _ => ScoringSettings.Tuned.K1 };
    readonly Option<float> b = new("--b") { Description = "BM25 b (0..1).", DefaultValueFactory = _ => ScoringSettings.Tuned.B };
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

    public ScoringSettings Read(ParseResult parse)
    {
        float k1Value = parse.GetValue(k1), bValue = parse.GetValue(b);
        if (!ScoringSettings.K1InRange(k1Value)) throw new ArgumentException($"--k1 must be between {ScoringSettings.MinK1} and {ScoringSettings.MaxK1}.");
        if (!ScoringSettings.BInRange(bValue)) throw new ArgumentException($"--b must be between {ScoringSettings.MinB} and {ScoringSettings.MaxB}.");
        var kind = parse.GetValue(similarity) == "tfidf" ? SimilarityKind.Tfidf : SimilarityKind.Bm25;
        return new ScoringSettings(kind, k1Value, bValue);
    }

    /// <summary>Opens an index; a missing or corrupt one becomes a one-line input error.</summary>
    public static IndexHost OpenIndex(DirectoryInfo directory, ScoringSettings scoring)
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
