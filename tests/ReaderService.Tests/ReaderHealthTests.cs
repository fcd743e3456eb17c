using System.Net;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Mrc.Reader.Tests.Support;

namespace Mrc.Reader.Tests;

/// <summary>/health and grpc.health.v1 say whether the reader can answer at all, and why not.</summary>
public sealed class ReaderHealthTests
{
    static WebApplicationFactory<ReaderOptions> Reader(string repository) =>
        new WebApplicationFactory<ReaderOptions>().WithWebHostBuilder(web =>
        {
            web.UseSetting("Reader:ModelRepository", repository);
            web.UseSetting("Reader:Device", "cpu");
        });

    static async Task<(HttpStatusCode Http, string Body, HealthCheckResponse.Types.ServingStatus Grpc)> HealthOf(WebApplicationFactory<ReaderOptions> factory)
    {
        using var http = factory.CreateClient();
        using var response = await http.GetAsync(new Uri("/health", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        using var channel = GrpcChannel.ForAddress(factory.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = factory.Server.CreateHandler() });
        var grpc = await new global::Grpc.Health.V1.Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(60));
        return (response.StatusCode, body, grpc.Status);
    }

    [Fact]
    public async Task OnlyABrokenVersion_IsNotServing_WithTheReason()
    {
        using var repository = new TinyModelRepository();
        foreach (var model in new[] { "korean-tiny", "other-tiny" }) Directory.Delete(Path.Combine(repository.Root, model), recursive: true);
        await using var factory = Reader(repository.Root);

        var (http, body, grpc) = await HealthOf(factory);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, http);
        Assert.Contains("no weights", body, StringComparison.Ordinal);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, grpc);
    }

    [Fact]
    public async Task EmptyRepository_IsNotServing_WithTheReason()
    {
        using var empty = new TempFolder();
        await using var factory = Reader(empty.Path);

        var (http, body, grpc) = await HealthOf(factory);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, http);
        Assert.Contains("holds no model", body, StringComparison.Ordinal);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, grpc);
    }

    [Fact]
    public async Task ALoadableVersion_IsServing_AndNamesIt()
    {
        using var repository = new TinyModelRepository();
        await using var factory = Reader(repository.Root);

        var (http, body, grpc) = await HealthOf(factory);

        Assert.Equal(HttpStatusCode.OK, http);
        Assert.Contains("korean-tiny/10 loaded", body, StringComparison.Ordinal); // the first model by name, its highest version
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, grpc);
    }
}
