using System.Globalization;
using System.Text.Json.Nodes;
using Elastic.Clients.Elasticsearch;
using Elastic.Clients.Elasticsearch.Core.Bulk;
using Elastic.Transport;
using Mrc.Retrieval.Indexing;
using HttpMethod = Elastic.Transport.HttpMethod;

namespace Mrc.Retrieval.Elasticsearch;

/// <summary>The outcome of a build: the concrete index it created and the alias now pointing at it.</summary>
public sealed record ElasticsearchBuildResult(string Alias, string ConcreteIndex, IndexMetadata Metadata);

/// <summary>
/// Writes a corpus into a new concrete Elasticsearch index and publishes it by moving an alias, the
/// Elasticsearch analogue of <see cref="IndexBuilder"/>'s generations: create <c>ALIAS-gen-TIME</c>
/// with the body of <see cref="ElasticsearchIndexBody"/>, bulk-index the passages, store the
/// metadata in its <c>_meta</c>, refresh, then move the alias from the old index to the new one in
/// one <c>_aliases</c> call (atomic: every search sees the old index or the new one). Any failure
/// before that call, cancellation included, deletes the new index and leaves the alias and the old
/// index serving. Afterwards, as with Lucene generations, the index just replaced is kept (a
/// service may still be answering from it until its next reload) and older ones are deleted.
/// </summary>
public static class ElasticsearchIndexBuilder
{
    /// <summary>Passages per bulk request: about a megabyte of Korean text.</summary>
    public const int BulkBatchSize = 500;

    /// <summary>A problem with <paramref name="alias"/> as an Elasticsearch index or alias name, or null.</summary>
    public static string? AliasProblem(string alias)
    {
        if (string.IsNullOrEmpty(alias) || alias.Length > 200) return "an index name is 1 to 200 characters.";
        if (alias[0] is '-' or '_' or '+' || alias is "." or "..") return $"'{alias}' cannot start with '-', '_' or '+', nor be '.' or '..'.";
        if (!alias.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_' or '.'))
            return $"'{alias}' may hold only lower-case letters, digits, '-', '_' and '.' (Elasticsearch's index names are lower case).";
        return null;
    }

    public static async Task<ElasticsearchBuildResult> BuildAsync(
        IngestedCorpus corpus,
        ElasticsearchServer server,
        string alias,
        IndexBuildOptions options,
        IProgress<IndexBuildProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (AliasProblem(alias) is { } problem) throw new ArgumentException($"Index name: {problem}");
        if (options.TitlePrefix)
            throw new ArgumentException("--title-prefix is not available with Elasticsearch: give titles a boost in the settings (field_boosts.title) instead; they are searched as a field of their own.");

        var builtAt = DateTimeOffset.UtcNow;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var documents = corpus.Read();
        string concrete = $"{alias}-gen-{builtAt.UtcDateTime.ToString("yyyyMMdd-HHmmss-fff", CultureInfo.InvariantCulture)}";
        await server.SendAsync(HttpMethod.PUT, $"/{concrete}", ElasticsearchIndexBody.Create(options.Settings), $"creating index '{concrete}'", cancellationToken)
            .ConfigureAwait(false);
        ElasticsearchBuildResult result;
        IReadOnlyCollection<string> keep;
        try
        {
            long passages = await BulkIndexAsync(documents, server, concrete, options, progress, clock, cancellationToken).ConfigureAwait(false);
            var metadata = new IndexMetadata
            {
                CorpusSource = corpus.Source,
                CorpusSha256 = corpus.Sha256,
                Analyzer = options.Settings.Analyzer,
                ChunkSize = options.ChunkSize,
                ChunkOverlap = options.ChunkSize == 0 ? 0 : options.ChunkOverlap,
                TitlePrefix = false,
                DocumentCount = documents.Kept,
                PassageCount = passages,
                DuplicatesSkipped = documents.DuplicatesSkipped,
                BuiltAt = builtAt,
                LuceneVersion = "(Elasticsearch)",
            };
            // PUT _mapping replaces _meta as a whole: the settings again, with the metadata beside them.
            var meta = new JsonObject
            {
                ["_meta"] = new JsonObject
                {
                    [ElasticsearchIndexBody.SettingsMetaKey] = ElasticsearchIndexBody.Create(options.Settings)["mappings"]!["_meta"]![ElasticsearchIndexBody.SettingsMetaKey]!.DeepClone(),
                    [ElasticsearchIndexBody.MetadataMetaKey] = JsonNode.Parse(metadata.ToJson()),
                },
            };
            progress?.Report(new IndexBuildProgress("committing", documents.Kept, passages, clock.Elapsed));
            await server.SendAsync(HttpMethod.PUT, $"/{concrete}/_mapping", meta, "storing the index metadata", cancellationToken).ConfigureAwait(false);
            await server.SendAsync(HttpMethod.POST, $"/{concrete}/_refresh", null, "refreshing the new index", cancellationToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();

            var replaced = await AliasedIndexesAsync(server, alias, cancellationToken).ConfigureAwait(false);
            var actions = new JsonArray(new JsonObject { ["add"] = new JsonObject { ["index"] = concrete, ["alias"] = alias } });
            foreach (var old in replaced) actions.Add(new JsonObject { ["remove"] = new JsonObject { ["index"] = old, ["alias"] = alias } });
            await server.SendAsync(HttpMethod.POST, "/_aliases", new JsonObject { ["actions"] = actions }, $"moving the alias '{alias}' to '{concrete}'", cancellationToken)
                .ConfigureAwait(false);
            progress?.Report(new IndexBuildProgress("published", documents.Kept, passages, clock.Elapsed));
            result = new ElasticsearchBuildResult(alias, concrete, metadata);
            keep = [concrete, .. replaced];
        }
        catch
        {
            // Nothing points at the new index yet: it goes, and the alias keeps serving the old one.
            await DeleteQuietlyAsync(server, concrete).ConfigureAwait(false);
            throw;
        }
        await PruneAsync(server, alias, keep).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// Reads the corpus as a stream and sends its passages in bulk requests of <see cref="BulkBatchSize"/>,
    /// reporting the documents done after each; only one batch is held at a time.
    /// </summary>
    static async Task<long> BulkIndexAsync(
        DistinctDocuments documents, ElasticsearchServer server, string concrete, IndexBuildOptions options,
        IProgress<IndexBuildProgress>? progress, System.Diagnostics.Stopwatch clock, CancellationToken cancellationToken)
    {
        long passages = 0;
        var batch = new List<IndexedPassage>(BulkBatchSize);
        progress?.Report(new IndexBuildProgress("indexing", 0, 0, clock.Elapsed));
        foreach (var document in documents)
        {
            batch.AddRange(IndexBuilder.Passages(document, options));
            if (batch.Count >= BulkBatchSize) passages += await FlushAsync().ConfigureAwait(false);
        }
        if (batch.Count > 0) passages += await FlushAsync().ConfigureAwait(false);
        return passages;

        async Task<long> FlushAsync()
        {
            cancellationToken.ThrowIfCancellationRequested();
            long sent = await SendBulkAsync(server, BulkRequestFor(concrete, batch), cancellationToken).ConfigureAwait(false);
            batch.Clear();
            progress?.Report(new IndexBuildProgress("indexing", documents.Kept, passages + sent, clock.Elapsed));
            return sent;
        }
    }

    /// <summary>One bulk request indexing <paramref name="passages"/> into <paramref name="index"/>, each under its passage id.</summary>
    internal static BulkRequest BulkRequestFor(string index, IEnumerable<IndexedPassage> passages)
    {
        var request = new BulkRequest(index) { Operations = [] };
        foreach (var passage in passages)
            request.Operations.Add(new BulkIndexOperation<ElasticsearchPassage>(ElasticsearchPassage.From(passage)) { Id = passage.Id });
        return request;
    }

    static async Task<int> SendBulkAsync(ElasticsearchServer server, BulkRequest batch, CancellationToken cancellationToken)
    {
        BulkResponse response;
        try
        {
            response = await server.Client.BulkAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TransportException or UnsupportedProductException)
        {
            throw server.Failure("a bulk request", null, null, e);
        }
        if (!response.IsValidResponse && !response.Errors) throw server.Failure("a bulk request", response);
        // A bulk request succeeds as a whole even when some documents were refused: each item says.
        var refused = response.ItemsWithErrors.ToList();
        if (refused.Count > 0)
            throw new ElasticsearchRequestException(
                $"Elasticsearch refused {refused.Count} of {batch.Operations!.Count} passages, the first ({refused[0].Id}): {refused[0].Error?.Reason ?? "no reason given"}");
        return batch.Operations!.Count;
    }

    /// <summary>The indexes the alias points at now (none when it does not exist yet).</summary>
    static async Task<IReadOnlyList<string>> AliasedIndexesAsync(ElasticsearchServer server, string alias, CancellationToken cancellationToken)
    {
        var aliased = await server.SendAsync(HttpMethod.GET, $"/_alias/{alias}", null, $"reading the alias '{alias}'", cancellationToken, 404).ConfigureAwait(false);
        return aliased is JsonObject indexes ? [.. indexes.Select(i => i.Key)] : [];
    }

    /// <summary>Deletes this alias's older builds; a failure here leaves an unused index, never a broken alias.</summary>
    static async Task PruneAsync(ElasticsearchServer server, string alias, IReadOnlyCollection<string> keep)
    {
        JsonNode? listed;
        try
        {
            listed = await server.SendAsync(HttpMethod.GET, $"/_cat/indices/{alias}-gen-*?format=json&h=index", null, "listing older builds", CancellationToken.None, 404)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is Search.SearchServerUnavailableException or ElasticsearchRequestException)
        {
            return; // published already; the old builds wait for the next build's pruning
        }
        if (listed is not JsonArray rows) return;
        foreach (var name in rows.Select(r => r?["index"]?.GetValue<string>()).OfType<string>().Where(n => !keep.Contains(n)))
            await DeleteQuietlyAsync(server, name).ConfigureAwait(false);
    }

    static async Task DeleteQuietlyAsync(ElasticsearchServer server, string index)
    {
        try
        {
            await server.SendAsync(HttpMethod.DELETE, $"/{index}", null, $"deleting index '{index}'", CancellationToken.None, 404).ConfigureAwait(false);
        }
        catch (Exception e) when (e is Search.SearchServerUnavailableException or ElasticsearchRequestException)
        {
            // The build already failed (or succeeded); that outcome is the one to report.
        }
    }
}
