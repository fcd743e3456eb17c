using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Mrc.Retriever;

namespace Mrc.Retriever.Tests.Support;

/// <summary>
/// The retriever service as Program.cs starts it, on Kestrel at 127.0.0.1 with free ports: gRPC on
/// HTTP/2 cleartext with a real channel to it, and HTTP/1.1 for JSON and health, as in appsettings.json.
/// </summary>
public sealed class RetrieverServer : IAsyncDisposable
{
    readonly WebApplication app;

    RetrieverServer(WebApplication app, GrpcChannel channel, Uri http1Address)
    {
        this.app = app;
        Channel = channel;
        Client = new Contracts.V1.Retriever.RetrieverClient(channel);
        Http1Address = http1Address;
    }

    static string EmptyContentRoot { get; } =
        Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "mrc-retriever-tests", "content-root")).FullName;

    public GrpcChannel Channel { get; }
    public Contracts.V1.Retriever.RetrieverClient Client { get; }

    /// <summary>The HTTP/1.1 endpoint: JSON transcoding of every call, and /health.</summary>
    public Uri Http1Address { get; }

    /// <summary>Starts a server; <paramref name="settings"/> are configuration keys such as "Retriever:MaxBatchSize=4".</summary>
    public static async Task<RetrieverServer> StartAsync(string indexPath, params string[] settings)
    {
        int http1Port = FreePort();
        var args = new List<string>
        {
            $"--Kestrel:Endpoints:Http:Url=http://127.0.0.1:{http1Port}",
            "--Kestrel:Endpoints:Http:Protocols=Http1",
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
        var http1 = new Uri($"http://127.0.0.1:{http1Port}");
        string grpc = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First(a => new Uri(a).Port != http1Port);
        return new RetrieverServer(app, GrpcChannel.ForAddress(grpc), http1);
    }

    /// <summary>A port nothing listens on now (Kestrel's port 0 would hide which endpoint got which port).</summary>
    static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
