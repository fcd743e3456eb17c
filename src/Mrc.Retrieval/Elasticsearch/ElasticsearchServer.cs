using System.Text.Json;
using System.Text.Json.Nodes;
using Elastic.Clients.Elasticsearch;
using Elastic.Transport;
using Elastic.Transport.Products.Elasticsearch;
using Mrc.Retrieval.Search;
using HttpMethod = Elastic.Transport.HttpMethod;

namespace Mrc.Retrieval.Elasticsearch;

/// <summary>
/// One Elasticsearch server: the official client, plain JSON requests for the bodies this library
/// writes itself (index creation, mappings, aliases), and every failure turned into this library's
/// exceptions, so callers see the same failures as from a Lucene index: no answer, a server error or
/// refused credentials are <see cref="SearchServerUnavailableException"/>; a refused request is
/// <see cref="ElasticsearchRequestException"/> with the server's reason.
/// </summary>
public sealed class ElasticsearchServer
{
    public ElasticsearchServer(ElasticsearchConnection connection)
        : this(connection, (connection ?? throw new ArgumentNullException(nameof(connection))).CreateClient())
    {
    }

    /// <summary>A server reached through <paramref name="client"/> (tests give one that records its requests).</summary>
    internal ElasticsearchServer(ElasticsearchConnection connection, ElasticsearchClient client)
    {
        Connection = connection;
        Client = client;
    }

    public ElasticsearchConnection Connection { get; }

    public ElasticsearchClient Client { get; }

    /// <summary>
    /// Sends <paramref name="body"/> to <paramref name="path"/>; the parsed answer, or null when the
    /// server answered one of the <paramref name="absent"/> statuses (such as 404 for "no such index").
    /// <paramref name="what"/> names the request in messages.
    /// </summary>
    public async Task<JsonNode?> SendAsync(HttpMethod method, string path, JsonNode? body, string what, CancellationToken cancellationToken, params int[] absent)
    {
        StringResponse response;
        try
        {
            var data = body is null ? null : PostData.String(body.ToJsonString());
            response = await Client.Transport.RequestAsync<StringResponse>(method, path, data, cancellationToken).ConfigureAwait(false);
        }
        catch (TransportException e)
        {
            throw Failure(what, null, null, e);
        }
        var details = response.ApiCallDetails;
        if (details.HasSuccessfulStatusCode) return string.IsNullOrEmpty(response.Body) ? new JsonObject() : JsonNode.Parse(response.Body);
        if (details.HttpStatusCode is { } status && absent.Contains(status)) return null;
        throw Failure(what, details.HttpStatusCode, Reason(response.Body), details.OriginalException);
    }

    /// <summary>The exception for a typed call's failed <paramref name="response"/>.</summary>
    public Exception Failure(string what, ElasticsearchResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var error = response.ElasticsearchServerError?.Error;
        string? reason = error is null ? null : error.RootCause?.FirstOrDefault()?.Reason ?? error.Reason;
        return Failure(what, response.ApiCallDetails.HttpStatusCode, reason, response.ApiCallDetails.OriginalException);
    }

    /// <summary>
    /// The exception for <paramref name="what"/> failing with HTTP <paramref name="status"/> (null: no
    /// answer at all, or, for the typed calls, an answer without Elasticsearch's product header).
    /// </summary>
    public Exception Failure(string what, int? status, string? reason, Exception? original) => status switch
    {
        null => new SearchServerUnavailableException(
            $"Elasticsearch at {Connection} cannot be reached ({what}): {original?.Message ?? "no answer"}. Check that the server runs and that its address is right.", original),
        401 or 403 => new SearchServerUnavailableException(
            $"Elasticsearch at {Connection} refused the credentials ({what}, HTTP {status}): {reason}. Check the API key, or the user name and password.", original),
        429 or >= 500 => new SearchServerUnavailableException($"Elasticsearch at {Connection} could not answer {what} (HTTP {status}): {reason}", original),
        _ => new ElasticsearchRequestException($"Elasticsearch at {Connection} refused {what} (HTTP {status}): {reason}", original),
    };

    /// <summary>The error's first root cause from an Elasticsearch error body, else the body's start.</summary>
    static string Reason(string? body)
    {
        if (string.IsNullOrWhiteSpace(body)) return "no reason given";
        try
        {
            var error = JsonNode.Parse(body)?["error"];
            string? reason = error?["root_cause"]?[0]?["reason"]?.GetValue<string>() ?? error?["reason"]?.GetValue<string>();
            if (reason is not null) return reason;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            // Not Elasticsearch's error format (a proxy's page, say): show the text itself.
        }
        return body.Length <= 300 ? body : body[..300] + "…";
    }
}

/// <summary>Elasticsearch answered but refused a request (a bad mapping, a name taken, a document it would not index); the message has its reason.</summary>
public sealed class ElasticsearchRequestException(string message, Exception? inner = null) : InvalidOperationException(message, inner);
