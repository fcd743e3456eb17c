using Lucene.Net.Analysis;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Mrc.Retrieval.Indexing;

namespace Mrc.Retrieval.Analysis;

/// <summary>
/// Turns a natural-language question into a Lucene query from the analyzer's own tokens: one SHOULD
/// TermQuery per distinct token. Never QueryParser: its syntax makes ordinary questions throw
/// ("C++ (언어)?") or silently change meaning (a trailing * becomes a wildcard).
/// </summary>
public static class QueryBuilder
{
    /// <summary>The tokens of <paramref name="text"/> as the index saw them, in order, repeats kept.</summary>
    public static IReadOnlyList<string> Tokens(Analyzer analyzer, string text)
    {
        var tokens = new List<string>();
        using var stream = analyzer.GetTokenStream(PassageFields.Contents, text);
        var term = stream.AddAttribute<ICharTermAttribute>();
        stream.Reset();
        while (stream.IncrementToken()) tokens.Add(term.ToString());
        stream.End();
        return tokens;
    }

    /// <summary>
    /// The query for <paramref name="text"/>, or null when it has no searchable token. A token that
    /// repeats becomes one clause boosted by its count: under BM25 that scores exactly like repeated
    /// clauses, and it keeps long queries under BooleanQuery's clause limit. Past that limit the
    /// remaining distinct tokens are dropped (the first ones carry the question's subject).
    /// </summary>
    public static Query? Build(Analyzer analyzer, string text)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var token in Tokens(analyzer, text))
        {
            if (counts.TryGetValue(token, out int count)) counts[token] = count + 1;
            else if (order.Count < BooleanQuery.MaxClauseCount)
            {
                counts[token] = 1;
                order.Add(token);
            }
        }
        if (order.Count == 0) return null;

        var query = new BooleanQuery();
        foreach (var token in order)
            query.Add(new TermQuery(new Term(PassageFields.Contents, token)) { Boost = counts[token] }, Occur.SHOULD);
        return query;
    }
}
