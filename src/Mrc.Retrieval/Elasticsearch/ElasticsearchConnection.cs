using Elastic.Clients.Elasticsearch;
using Elastic.Transport;

namespace Mrc.Retrieval.Elasticsearch;

/// <summary>
/// Where an Elasticsearch server is and how to sign in: an API key, or a user name and password, or
/// neither (a server without security). One client per connection; it is thread-safe and reused.
/// </summary>
public sealed record ElasticsearchConnection(Uri Url, string? ApiKey = null, string? Username = null, string? Password = null)
{
    /// <summary>How long one request to the server may take before it counts as unreachable.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A problem with the connection's values, or null when they can be used.</summary>
    public static string? Problem(string? url, string? apiKey, string? username, string? password)
    {
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            return $"'{url}' is not an http:// or https:// address of an Elasticsearch server.";
        if (!string.IsNullOrEmpty(apiKey) && !string.IsNullOrEmpty(username))
            return "give either an API key or a user name and password, not both.";
        if (string.IsNullOrEmpty(username) != string.IsNullOrEmpty(password))
            return "a user name needs a password, and a password a user name.";
        return null;
    }

    public ElasticsearchClient CreateClient()
    {
        var settings = new ElasticsearchClientSettings(Url).RequestTimeout(RequestTimeout);
        if (!string.IsNullOrEmpty(ApiKey)) settings = settings.Authentication(new ApiKey(ApiKey));
        else if (!string.IsNullOrEmpty(Username)) settings = settings.Authentication(new BasicAuthentication(Username, Password ?? ""));
        return new ElasticsearchClient(settings);
    }

    /// <summary>The address alone (never the credentials), for messages.</summary>
    public override string ToString() => Url.GetLeftPart(UriPartial.Path).TrimEnd('/');
}
