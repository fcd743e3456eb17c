using Mrc.Core.Data;
using Mrc.Tests;

namespace Mrc.Cli.Tests;

/// <summary>
/// `mrc index build --backend elasticsearch` without a server: the options each backend takes, and
/// a server that cannot be reached (a real refused connection) as one readable line and exit code 3.
/// The build against a server runs in RetrieverService.Tests' contract suite when ELASTICSEARCH_URL is set.
/// </summary>
public sealed class ElasticsearchIndexCommandTests : IDisposable
{
    readonly string work = Path.Combine(Path.GetTempPath(), "mrc-cli-elasticsearch-tests", Guid.NewGuid().ToString("N"));

    public ElasticsearchIndexCommandTests()
    {
        Directory.CreateDirectory(work);
        var partA = SquadJson.Load(TestData.KorQuadPartA);
        Corpus = Path.Combine(work, "part-a-1.json");
        SquadJson.Save(partA with { Articles = partA.Articles.Take(1).ToList() }, Corpus);
    }

    string Corpus { get; }

    public void Dispose() => Directory.Delete(work, recursive: true);

    static string ClosedAddress()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return $"http://127.0.0.1:{((System.Net.IPEndPoint)listener.LocalEndpoint).Port}";
    }

    [Fact]
    public async Task Build_WhenTheServerCannotBeReached_SaysSoInOneLineAndExits3()
    {
        string url = ClosedAddress();

        var build = await InProcessCli.RunAsync("index", "build", "--corpus", Corpus, "--backend", "elasticsearch", "--url", url, "--index", "wiki");

        Assert.Equal(3, build.Exit);
        Assert.Equal("", build.Out);
        string last = build.Error.TrimEnd().Split('\n')[^1];
        Assert.StartsWith($"error: Elasticsearch at {url} cannot be reached (creating index 'wiki-gen-", last, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--backend", "elasticsearch", "--index", "wiki" }, "--backend elasticsearch needs --url (the server) and --index")]
    [InlineData(new[] { "--backend", "elasticsearch", "--url", "http://127.0.0.1:9200" }, "--backend elasticsearch needs --url (the server) and --index")]
    [InlineData(new[] { "--backend", "elasticsearch", "--url", "http://127.0.0.1:9200", "--index", "Wiki" }, "--index: 'Wiki' may hold only lower-case letters")]
    [InlineData(new[] { "--backend", "elasticsearch", "--url", "ftp://127.0.0.1", "--index", "wiki" }, "--url: 'ftp://127.0.0.1' is not an http:// or https:// address")]
    [InlineData(new[] { "--backend", "elasticsearch", "--url", "http://127.0.0.1:9200", "--index", "wiki", "--out", "x" }, "--out and --if-missing are for Lucene index folders")]
    [InlineData(new[] { "--backend", "elasticsearch", "--url", "http://127.0.0.1:9200", "--index", "wiki", "--title-prefix" }, "--title-prefix is not available with Elasticsearch")]
    [InlineData(new[] { "--url", "http://127.0.0.1:9200" }, "--out is required")]
    [InlineData(new[] { "--out", "x", "--index", "wiki" }, "--url and --index are for --backend elasticsearch")]
    public async Task Build_WithTheOtherBackendsOptions_IsRefusedNamingThem(string[] options, string message)
    {
        var build = await InProcessCli.RunAsync(["index", "build", "--corpus", Corpus, .. options]);

        Assert.Equal(2, build.Exit);
        Assert.Contains(message, build.Error, StringComparison.Ordinal);
    }
}
