using System.Reflection;
using Xunit.Sdk;

namespace Mrc.Retriever.Tests.Contract;

/// <summary>The backends the contract suite knows, by the name each theory row passes.</summary>
public static class Backends
{
    public const string Lucene = "lucene";
    public const string Elasticsearch = "elasticsearch";

    /// <summary>The server the Elasticsearch rows run against; they are skipped without it.</summary>
    public const string UrlVariable = "ELASTICSEARCH_URL";

    /// <summary>Optional credentials for that server.</summary>
    public const string ApiKeyVariable = "ELASTICSEARCH_API_KEY";

    public static string? ElasticsearchUrl => Environment.GetEnvironmentVariable(UrlVariable) is { Length: > 0 } url ? url : null;
}

/// <summary>A contract row against the Lucene backend: always runs.</summary>
public sealed class LuceneBackendAttribute : DataAttribute
{
    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[Backends.Lucene]];
}

/// <summary>
/// A contract row against the Elasticsearch backend: runs when ELASTICSEARCH_URL names a server,
/// otherwise is reported as skipped with the reason (no Elasticsearch can be installed where CI runs).
/// </summary>
public sealed class ElasticsearchBackendAttribute : DataAttribute
{
    public ElasticsearchBackendAttribute()
    {
        if (Backends.ElasticsearchUrl is null)
            Skip = $"{Backends.UrlVariable} is not set: set it to an Elasticsearch server with the analysis-nori plugin (and {Backends.ApiKeyVariable} if it asks for a key) to run the contract against it.";
    }

    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[Backends.Elasticsearch]];
}
