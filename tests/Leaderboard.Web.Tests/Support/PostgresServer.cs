using System.Net;
using System.Net.Sockets;
using Mrc.Tests;

namespace Mrc.Leaderboard.Tests.Support;

/// <summary>
/// A throwaway PostgreSQL 15 cluster: initdb in a temp folder, pg_ctl start on a free port on
/// 127.0.0.1 (no Unix socket outside the folder), trust authentication. As root, the server
/// programs run as the "postgres" user through runuser, since PostgreSQL refuses to run as root.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    readonly string folder;
    readonly string dataDirectory;
    bool stopped;

    PostgresServer(string folder, int port)
    {
        this.folder = folder;
        dataDirectory = Path.Combine(folder, "data");
        Port = port;
    }

    public int Port { get; private set; }

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=false;Timeout=15";

    public static async Task<PostgresServer> StartAsync()
    {
        if (Prerequisites.MissingPostgres() is { } missing) throw new InvalidOperationException(missing);
        var folder = Path.Combine(Path.GetTempPath(), "leaderboard-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        var server = new PostgresServer(folder, FreePort());
        if (IsRoot) await RunAsync("chown", ["-R", "postgres:postgres", folder]);
        await RunPgAsync("initdb", ["-D", server.dataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8"]);
        // Another process may take the probed port before the server binds it: then try another one.
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await server.StartServerAsync();
                return server;
            }
            catch (InvalidOperationException) when (attempt < 5 && File.Exists(server.Log) && File.ReadAllText(server.Log).Contains("could not bind", StringComparison.Ordinal))
            {
                server.Port = FreePort();
            }
        }
    }

    string Log => Path.Combine(folder, "server.log");

    Task StartServerAsync() => RunPgAsync("pg_ctl", [
        "-D", dataDirectory, "-l", Log, "-w", "-t", "60",
        "-o", $"-p {Port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start"]);

    /// <summary>Stops the server at once (as a crash would: immediate shutdown), waits, and starts it again on the same port.</summary>
    public async Task RestartAsync(TimeSpan down)
    {
        await StopAsync();
        await Task.Delay(down);
        await StartServerAsync();
        stopped = false;
    }

    /// <summary>Stops the server as an outage would (immediate shutdown); the folder goes on dispose.</summary>
    public async Task StopAsync()
    {
        if (stopped) return;
        await RunPgAsync("pg_ctl", ["-D", dataDirectory, "-m", "immediate", "-w", "stop"]);
        stopped = true;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    static bool IsRoot => Environment.UserName == "root";

    static Task RunPgAsync(string program, string[] args)
    {
        var path = Path.Combine(Prerequisites.PostgresBin, program);
        return IsRoot ? RunAsync("runuser", ["-u", "postgres", "--", path, .. args]) : RunAsync(path, args);
    }

    static async Task RunAsync(string program, string[] args)
    {
        var (exit, output, error) = await ExternalProgram.RunAsync(program, args, Path.GetTempPath(), TimeSpan.FromMinutes(3));
        if (exit != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited with {exit}:\n{output}\n{error}");
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
