using System.Text.Json.Nodes;
using Elastic.Clients.Elasticsearch;
using Elastic.Clients.Elasticsearch.Core.Search;
using Elastic.Clients.Elasticsearch.QueryDsl;
using Elastic.Transport;
using Mrc.Retrieval.Indexing;
using Mrc.Retrieval.Lifecycle;
using Mrc.Retrieval.Search;
using Mrc.Retrieval.Settings;
using HttpMethod = Elastic.Transport.HttpMethod;

namespace Mrc.Retrieval.Elasticsearch;

/// <summary>
/// An index built by <see cref="ElasticsearchIndexBuilder"/>, searched on an Elasticsearch server
/// through its alias. Like a Lucene index host, it keeps to one concrete index (the one the alias
/// pointed at when it was last read) until <see cref="ReloadAsync"/> finds the alias moved, so all
/// queries of a batch see the same index; the settings and metadata come from that index's
/// <c>_meta</c>. Queries are <c>multi_match</c> of type <c>most_fields</c> over the fields the
/// settings give a boost, each with its boost: the scores of the fields summed, as the Lucene query.
/// </summary>
public sealed class ElasticsearchPassageIndex(ElasticsearchConnection connection, string alias, int batchParallelism) : IPassageIndex
{
    readonly ElasticsearchServer server = new(connection);
    Live? live;

    /// <summary>Why the last reload could not reach the server, until one succeeds: then the index counts as unavailable.</summary>
    SearchServerUnavailableException? unreachable;

    /// <summary>The concrete index the alias points at, what it describes, and the fields queries search.</summary>
    sealed record Live(string ConcreteIndex, IndexDescription Description, IReadOnlyList<string> SearchFields);

    public string Location => $"{connection}, alias {alias}";

    /// <summary>
    /// The description read at the last reload. While the last reload could not reach the server,
    /// its failure instead: health, ListIndexes and GetIndexInfo then say the server is gone, as a
    /// search would, rather than describe an index nobody can search.
    /// </summary>
    public async Task<IndexDescription> DescribeAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref unreachable) is { } failure) throw new SearchServerUnavailableException(failure.Message, failure);
        return (await CurrentAsync(cancellationToken).ConfigureAwait(false)).Description;
    }

    public async Task<SearchResult> SearchAsync(string query, int k, ScoringSettings scoring, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        var current = await CurrentAsync(cancellationToken).ConfigureAwait(false);
        return await SearchAsync(current, query, k, scoring, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<SearchResult>> BatchSearchAsync(
        IReadOnlyList<string> queries, int k, ScoringSettings scoring, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        var current = await CurrentAsync(cancellationToken).ConfigureAwait(false);
        using var gate = new SemaphoreSlim(batchParallelism);
        var searches = queries.Select(async query =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await SearchAsync(current, query, k, scoring, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        return await Task.WhenAll(searches).ConfigureAwait(false);
    }

    public async Task<bool> ReloadAsync(CancellationToken cancellationToken = default)
    {
        Live fresh;
        try
        {
            fresh = await ReadAliasAsync(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref unreachable, null);
        }
        catch (SearchServerUnavailableException e)
        {
            Volatile.Write(ref unreachable, e);
            throw;
        }
        catch (IndexUnavailableException)
        {
            Volatile.Write(ref unreachable, null);
            // Not built yet, or the alias is gone or points nowhere usable: keep answering from the
            // index in use (if any), as a Lucene host does when CURRENT is missing. Requests say why.
            return false;
        }
        var previous = Interlocked.Exchange(ref live, fresh);
        return previous?.ConcreteIndex != fresh.ConcreteIndex;
    }

    public void Dispose()
    {
        // The client holds no resources of its own beyond pooled connections, which the process owns.
    }

    async Task<Live> CurrentAsync(CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref live);
        if (current is not null) return current;
        var fresh = await ReadAliasAsync(cancellationToken).ConfigureAwait(false);
        return Interlocked.CompareExchange(ref live, fresh, null) ?? fresh;
    }

    /// <summary>The concrete index behind the alias with the settings and metadata its build stored in <c>_meta</c>.</summary>
    async Task<Live> ReadAliasAsync(CancellationToken cancellationToken)
    {
        string build = $"`mrc index build --backend elasticsearch --url {connection} --index {alias}`";
        var mappings = await server.SendAsync(HttpMethod.GET, $"/{Uri.EscapeDataString(alias)}/_mapping", null, $"reading index '{alias}'", cancellationToken, 404)
            .ConfigureAwait(false) as JsonObject
            ?? throw new IndexUnavailableException($"Elasticsearch at {connection} has no index or alias '{alias}': build it with {build}.");
        if (mappings.Count != 1)
            throw new IndexUnavailableException($"The alias '{alias}' on Elasticsearch at {connection} points at {mappings.Count} indexes ({string.Join(", ", mappings.Select(m => m.Key))}); it must point at exactly one. Rebuild it with {build}.");
        var (concrete, mapping) = mappings.First();
        var meta = mapping?["mappings"]?["_meta"];
        var settingsNode = meta?[ElasticsearchIndexBody.SettingsMetaKey];
        var metadataNode = meta?[ElasticsearchIndexBody.MetadataMetaKey];
        if (settingsNode is null || metadataNode is null)
            throw new IndexUnavailableException($"The index '{concrete}' behind '{alias}' on Elasticsearch at {connection} was not published by `mrc index build` (its mapping has no _meta.{ElasticsearchIndexBody.MetadataMetaKey}). Build it with {build}.");
        try
        {
            var settings = IndexSettingsFile.ParseStored(settingsNode.ToJsonString(), $"{concrete} _meta.{ElasticsearchIndexBody.SettingsMetaKey}");
            var metadata = IndexMetadata.FromJson(metadataNode.ToJsonString(), $"{concrete} _meta.{ElasticsearchIndexBody.MetadataMetaKey}");
            return new Live(concrete, new IndexDescription(metadata, settings, settings.Scoring), ElasticsearchIndexBody.SearchFields(settings));
        }
        catch (Exception e) when (e is Core.Data.DataFormatException or InvalidDataException)
        {
            throw new IndexUnavailableException($"The index '{concrete}' behind '{alias}' on Elasticsearch at {connection} cannot be used: {e.Message}", e);
        }
    }

    async Task<SearchResult> SearchAsync(Live current, string query, int k, ScoringSettings scoring, CancellationToken cancellationToken)
    {
        if (scoring != current.Description.Scoring)
            throw new ScoringNotSupportedException(
                $"Index '{alias}' is served by Elasticsearch, which scores with the BM25 k1 and b fixed when the index was built ({current.Description.Scoring}), "
                + $"so a request cannot ask for {scoring}. Leave options.similarity, options.k1 and options.b unset, or rebuild the index with other bm25 settings.");
        var request = SearchRequestFor(current.ConcreteIndex, current.SearchFields, query, k);
        SearchResponse<ElasticsearchPassage> response;
        try
        {
            response = await server.Client.SearchAsync<ElasticsearchPassage>(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TransportException or UnsupportedProductException)
        {
            throw server.Failure("a search", null, null, e);
        }
        if (!response.IsValidResponse) throw server.Failure("a search", response);

        var hits = response.Hits.Select((hit, i) => new SearchHit(
            (hit.Source ?? throw new InvalidOperationException($"Elasticsearch returned passage {hit.Id} of '{current.ConcreteIndex}' without its _source.")).ToIndexed(),
            (float)(hit.Score ?? 0), i + 1)).ToList();
        // No hit can also mean no searchable word at all, which the Lucene index reports as an error.
        if (hits.Count == 0 && !await HasTokensAsync(current, query, cancellationToken).ConfigureAwait(false))
            throw new QueryHasNoTermsException(current.Description.Settings.Analyzer);
        return new SearchResult(hits, response.Total);
    }

    /// <summary>
    /// The search for <paramref name="query"/>: one <c>multi_match</c> of type <c>most_fields</c> over
    /// <paramref name="fields"/> ("text^1"), the top <paramref name="k"/>, with the exact number of matches.
    /// </summary>
    internal static SearchRequest SearchRequestFor(string index, IReadOnlyList<string> fields, string query, int k) => new(index)
    {
        Query = new MultiMatchQuery(query) { Fields = Fields.FromStrings([.. fields]), Type = TextQueryType.MostFields },
        Size = k,
        TrackTotalHits = new TrackHits(true),
    };

    /// <summary>Whether any searched field's analyzer makes a token of <paramref name="query"/> (the <c>_analyze</c> API).</summary>
    async Task<bool> HasTokensAsync(Live current, string query, CancellationToken cancellationToken)
    {
        foreach (var field in current.SearchFields.Select(f => f[..f.IndexOf('^', StringComparison.Ordinal)]))
        {
            var body = new JsonObject { ["field"] = field, ["text"] = query };
            var analysed = await server.SendAsync(HttpMethod.POST, $"/{current.ConcreteIndex}/_analyze", body, "analysing a query", cancellationToken)
                .ConfigureAwait(false);
            if (analysed?["tokens"] is JsonArray { Count: > 0 }) return true;
        }
        return false;
    }
}
