using Mrc.Retrieval.Elasticsearch;

namespace Mrc.Retriever;

/// <summary>What holds the served indexes.</summary>
public enum RetrievalBackend
{
    /// <summary>Lucene.Net index folders, searched in-process.</summary>
    Lucene,

    /// <summary>Aliases on an Elasticsearch server, searched with the official .NET client.</summary>
    Elasticsearch,
}

/// <summary>
/// The "Retriever:Elasticsearch" section: the server of the Elasticsearch backend, bound and
/// validated as part of <see cref="RetrieverOptions"/>.
/// </summary>
public sealed class ElasticsearchOptions
{
    public const string SectionName = $"{RetrieverOptions.SectionName}:Elasticsearch";

    /// <summary>The server's address, such as http://127.0.0.1:9200.</summary>
    public string Url { get; set; } = "";

    /// <summary>An API key (the encoded form Elasticsearch returns), when the server asks for one.</summary>
    public string? ApiKey { get; set; }

    /// <summary>A user name for basic authentication, with <see cref="Password"/>.</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>How long one request may take before the server counts as unreachable.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public ElasticsearchConnection ToConnection() =>
        new(new Uri(Url), ApiKey, Username, Password) { RequestTimeout = RequestTimeout };
}
