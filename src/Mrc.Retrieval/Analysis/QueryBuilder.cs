using Lucene.Net.Analysis;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Mrc.Retrieval.Indexing;
using Mrc.Retrieval.Settings;

namespace Mrc.Retrieval.Analysis;

/// <summary>
/// Turns a natural-language question into a Lucene query from the analyzer's own tokens: one SHOULD
/// TermQuery per distinct token and searched field (the text, and the title when the index's
/// settings give it a boost), each field's clauses weighted by its boost. Never QueryParser: its syntax makes ordinary questions throw
/// ("C++ (언어)?") or silently change meaning (a trailing * becomes a wildcard).
/// </summary>
public static class QueryBuilder
{
    /// <summary>The tokens of <paramref name="text"/> as the index saw them, in order, repeats kept.</summary>
    public static IReadOnlyList<string> Tokens(Analyzer analyzer, string text, string field = PassageFields.Contents)
    {
        var tokens = new List<string>();
        using var stream = analyzer.GetTokenStream(field, text);
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
    public static BooleanQuery? Build(Analyzer analyzer, string text, IndexSettings? settings = null)
    {
        // Without settings: the text field alone, as every index was searched before settings existed.
        settings ??= IndexSettings.Bare(AnalyzerCatalog.Default);
        var fields = SearchedFields(settings);
        int maxTokens = BooleanQuery.MaxClauseCount / fields.Count;

        var query = new BooleanQuery();
        // Summed over fields, as Elasticsearch's most_fields: a token in both the title and the text
        // counts twice. Each field's tokens come from its own analyzer (the words field has whole words).
        foreach (var (field, boost) in fields)
            foreach (var (token, count) in CountTokens(analyzer, text, field, maxTokens))
                query.Add(new TermQuery(new Term(field, token)) { Boost = count * boost }, Occur.SHOULD);
        return query.Clauses.Count == 0 ? null : query;
    }

    /// <summary>The fields a query searches, with their boosts: those the settings give a boost above 0.</summary>
    public static IReadOnlyList<(string Name, float Boost)> SearchedFields(IndexSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var fields = new List<(string Name, float Boost)>(3);
        if (settings.TextBoost > 0) fields.Add((PassageFields.Contents, settings.TextBoost));
        if (settings.TitleBoost > 0) fields.Add((PassageFields.TitleContents, settings.TitleBoost));
        if (settings.WordsBoost > 0) fields.Add((PassageFields.Words, settings.WordsBoost));
        return fields;
    }

    /// <summary>Distinct tokens in order of first appearance with their counts, at most <paramref name="maxTokens"/> of them.</summary>
    static List<(string Token, int Count)> CountTokens(Analyzer analyzer, string text, string field, int maxTokens)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var token in Tokens(analyzer, text, field))
        {
            if (counts.TryGetValue(token, out int count)) counts[token] = count + 1;
            else if (order.Count < maxTokens)
            {
                counts[token] = 1;
                order.Add(token);
            }
        }
        return [.. order.Select(t => (t, counts[t]))];
    }
}
