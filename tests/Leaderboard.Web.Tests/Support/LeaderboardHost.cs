using Microsoft.Extensions.Hosting;
using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;
using Mrc.Leaderboard.Data;
using Mrc.Leaderboard.Domain;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mrc.Tests;
using System.Xml.Linq;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Options;
using Mrc.Leaderboard.Auth;

namespace Mrc.Leaderboard.Tests.Support;

/// <summary>
/// The real leaderboard app on real Kestrel, configured as in production: one endpoint with
/// HTTP/1.1 + HTTP/2 (browser, JSON) and one HTTP/2-only endpoint (cleartext gRPC), on free ports.
/// Stopping it and starting another host on the same database is how tests simulate a restart.
/// </summary>
public sealed class LeaderboardHost : IAsyncDisposable
{
    public const string AdminSecret = "test-admin-secret-0123456789";

    readonly WebApplication app;
    readonly List<GrpcChannel> channels = [];

    LeaderboardHost(WebApplication app, Uri http, Uri grpc)
    {
        this.app = app;
        HttpAddress = http;
        GrpcAddress = grpc;
    }

    public Uri HttpAddress { get; }
    public Uri GrpcAddress { get; }
    public IServiceProvider Services => app.Services;

    /// <summary>
    /// Starts on two free ports. Another process (another test project, Aspire's orchestrator) may take
    /// a port between our probe and Kestrel's bind, so a taken port means new ports and another try.
    /// </summary>
    public static async Task<LeaderboardHost> StartAsync(
        TestDatabase database, Uri pipelineAddress, IDictionary<string, string?>? overrides = null)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnFreePortsAsync(database, pipelineAddress, overrides);
            }
            catch (IOException e) when (attempt < 5 && PortTaken(e))
            {
            }
        }
    }

    static async Task<LeaderboardHost> StartOnFreePortsAsync(
        TestDatabase database, Uri pipelineAddress, IDictionary<string, string?>? overrides)
    {
        int httpPort = FreePort(), grpcPort = FreePort();
        var settings = new Dictionary<string, string?>
        {
            ["Kestrel:Endpoints:Http:Url"] = $"http://127.0.0.1:{httpPort}",
            ["Kestrel:Endpoints:Grpc:Url"] = $"http://127.0.0.1:{grpcPort}",
            ["Leaderboard:AdminSecret"] = AdminSecret,
            ["Leaderboard:DailySubmissionLimit"] = "50",
            ["Evaluation:RetrieverAddress"] = pipelineAddress.ToString(),
            ["Evaluation:ReaderAddress"] = pipelineAddress.ToString(),
            ["Evaluation:BatchSize"] = "4",
            ["Evaluation:ReadParallelism"] = "2",
            ["Evaluation:MaxAttempts"] = "3",
            ["Evaluation:InitialBackoffSeconds"] = "0.05",
            ["Evaluation:RetrieveTimeoutSeconds"] = "10",
            ["Evaluation:ReadTimeoutSeconds"] = "30",
        };
        foreach (var (key, value) in database.Settings) settings[key] = value;
        if (overrides is not null) foreach (var (key, value) in overrides) settings[key] = value;

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = "Leaderboard.Web",
            EnvironmentName = "Development",
            ContentRootPath = Path.Combine(TestData.RepositoryRoot, "src", "Leaderboard.Web"),
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.AddServiceDefaults();
        builder.AddLeaderboard();
        // Unless the app keeps its data-protection keys itself, each host gets a key store that dies
        // with it, as a container's profile folder does; without this every test host on the machine
        // would share ~/.aspnet and a restart could never lose keys here.
        builder.Services.PostConfigure<KeyManagementOptions>(o => o.XmlRepository ??= new InMemoryKeyStore());

        var app = builder.Build();
        try
        {
            app.MapLeaderboard();
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        return new LeaderboardHost(app, new Uri($"http://127.0.0.1:{httpPort}"), new Uri($"http://127.0.0.1:{grpcPort}"));
    }

    /// <summary>A gRPC client over cleartext HTTP/2 to the gRPC endpoint, sending the token as a bearer.</summary>
    public Mrc.Contracts.V1.Leaderboard.LeaderboardClient Client(string? token)
    {
        var credentials = CallCredentials.FromInterceptor((_, metadata) =>
        {
            if (token is not null) metadata.Add("authorization", $"Bearer {token}");
            return Task.CompletedTask;
        });
        var channel = GrpcChannel.ForAddress(GrpcAddress, new GrpcChannelOptions
        {
            Credentials = ChannelCredentials.Create(ChannelCredentials.Insecure, credentials),
            UnsafeUseInsecureChannelCallCredentials = true,
        });
        channels.Add(channel);
        return new Mrc.Contracts.V1.Leaderboard.LeaderboardClient(channel);
    }

    public T Get<T>() where T : notnull => app.Services.GetRequiredService<T>();

    /// <summary>
    /// The authentication cookie this host would set for <paramref name="caller"/> when it signs in:
    /// the same principal, protected by the host's own cookie options and data-protection keys.
    /// </summary>
    public async Task<Cookie> AuthCookieAsync(Caller caller)
    {
        var principal = await Get<SessionStamps>().PrincipalAsync(caller)
                        ?? throw new InvalidOperationException($"{caller.Name} cannot sign in.");
        var options = Get<IOptionsMonitor<CookieAuthenticationOptions>>().Get(CookieAuthenticationDefaults.AuthenticationScheme);
        var now = DateTimeOffset.UtcNow;
        var ticket = new AuthenticationTicket(principal,
            new AuthenticationProperties { IssuedUtc = now, ExpiresUtc = now + options.ExpireTimeSpan },
            CookieAuthenticationDefaults.AuthenticationScheme);
        return new Cookie(options.Cookie.Name!, options.TicketDataFormat.Protect(ticket), "/", HttpAddress.Host);
    }

    /// <summary>An HTTP client that follows redirects and sends <paramref name="cookies"/>.</summary>
    public HttpClient Browser(params Cookie[] cookies)
    {
        var jar = new CookieContainer();
        foreach (var cookie in cookies) jar.Add(HttpAddress, cookie);
        return new HttpClient(new HttpClientHandler { CookieContainer = jar, AllowAutoRedirect = true }) { BaseAddress = HttpAddress };
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in channels) channel.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }

    static bool PortTaken(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || e.GetType().Name == "AddressInUseException") return true;
        return false;
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>Where a test host keeps its data: a SQLite file in a temp folder, or a PostgreSQL database.</summary>
public sealed class TestDatabase : IDisposable
{
    readonly string? folder;

    TestDatabase(IReadOnlyDictionary<string, string?> settings, string? folder)
    {
        Settings = settings;
        this.folder = folder;
    }

    public IReadOnlyDictionary<string, string?> Settings { get; }

    public static TestDatabase Sqlite()
    {
        var folder = Directory.CreateTempSubdirectory("leaderboard-test-").FullName;
        return new TestDatabase(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "sqlite",
            ["ConnectionStrings:Leaderboard"] = $"Data Source={Path.Combine(folder, "leaderboard.db")}",
        }, folder);
    }

    public static TestDatabase Postgres(string connectionString) => new(new Dictionary<string, string?>
    {
        ["Database:Provider"] = "postgres",
        ["ConnectionStrings:LeaderboardPostgres"] = connectionString,
    }, null);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (folder is not null && Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }
}

/// <summary>Data-protection keys kept in memory: gone when the host that made them stops.</summary>
sealed class InMemoryKeyStore : IXmlRepository
{
    readonly List<XElement> elements = [];

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        lock (elements) return [.. elements.Select(e => new XElement(e))];
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        lock (elements) elements.Add(new XElement(element));
    }
}
