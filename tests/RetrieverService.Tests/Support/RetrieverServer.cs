using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Mrc.Retriever;

namespace Mrc.Retriever.Tests.Support;

/// <summary>
/// The retriever service as Program.cs starts it, on Kestrel at 127.0.0.1 with a free port and
/// HTTP/2 cleartext, and a real gRPC channel to it.
/// </summary>
public sealed class RetrieverServer : IAsyncDisposable
{
    readonly WebApplication app;

    RetrieverServer(WebApplication app, GrpcChannel channel)
    {
        this.app = app;
        Channel = channel;
        Client = new Contracts.V1.Retriever.RetrieverClient(channel);
    }

    static string EmptyContentRoot { get; } =
        Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "mrc-retriever-tests", "content-root")).FullName;

    public GrpcChannel Channel { get; }
    public Contracts.V1.Retriever.RetrieverClient Client { get; }

    /// <summary>Starts a server; <paramref name="settings"/> are configuration keys such as "Retriever:MaxBatchSize=4".</summary>
    public static async Task<RetrieverServer> StartAsync(string indexPath, params string[] settings)
    {
        var args = new List<string>
        {
            $"--Retriever:IndexPath={indexPath}",
            "--Retriever:ReloadInterval=00:00:00.200",
            "--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:0",
            "--Kestrel:Endpoints:Grpc:Protocols=Http2",
            "--Logging:LogLevel:Default=Warning",
        };
        args.AddRange(settings.Select(s => "--" + s));

        // An empty content root: the service's appsettings.json binds fixed ports, the test wants free ones.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args.ToArray(), ContentRootPath = EmptyContentRoot });
        builder.AddServiceDefaults();
        builder.AddRetriever();
        var app = builder.Build();
        app.MapRetriever();
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RetrieverServer(app, GrpcChannel.ForAddress(address));
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
