using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Mrc.EndToEnd.Tests.Support;

/// <summary>
/// One of the services, run as users run it: its own process from its build output
/// (<c>dotnet src/X/bin/.../X.dll</c>), bound to free ports on 127.0.0.1, stopped on dispose.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    readonly string project;
    readonly IReadOnlyDictionary<string, string> settings;
    readonly StringBuilder log = new();
    Process process;

    ServiceProcess(string project, IReadOnlyDictionary<string, string> settings, Process process, int grpcPort, int httpPort)
    {
        this.project = project;
        this.settings = settings;
        this.process = process;
        GrpcPort = grpcPort;
        HttpPort = httpPort;
        Follow(process);
    }

    void Follow(Process started)
    {
        started.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        started.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        started.BeginOutputReadLine();
        started.BeginErrorReadLine();
    }

    /// <summary>The operating system's id of the running process.</summary>
    public int ProcessId => process.Id;

    /// <summary>Whether the process has ended (killed, or of its own accord).</summary>
    public bool HasExited => process.HasExited;

    /// <summary>Ends the process at once, as SIGKILL does: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    /// <summary>Starts the service again with the same settings on the same ports, and waits until it is healthy.</summary>
    public async Task RestartAsync(TimeSpan timeout)
    {
        if (!process.HasExited) throw new InvalidOperationException($"{project} is still running.");
        process.Dispose();
        process = Launch(project, settings, GrpcPort, HttpPort);
        Follow(process);
        await WaitHealthyAsync(timeout);
    }

    public int GrpcPort { get; }
    public int HttpPort { get; }
    public Uri GrpcAddress => new($"http://127.0.0.1:{GrpcPort}");
    public string GrpcHostPort => $"127.0.0.1:{GrpcPort}";

    public string Log { get { lock (log) return log.ToString(); } }

    /// <summary>
    /// Starts <paramref name="project"/> with <paramref name="settings"/> as --Key=Value and waits until /health answers.
    /// Another process may take a probed port before the service binds it; then it starts again on new ports.
    /// </summary>
    public static async Task<ServiceProcess> StartAsync(string project, IReadOnlyDictionary<string, string> settings, TimeSpan timeout)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnFreePortsAsync(project, settings, timeout);
            }
            catch (PortTakenException) when (attempt < 5)
            {
            }
        }
    }

    sealed class PortTakenException(string message) : Exception(message);

    static async Task<ServiceProcess> StartOnFreePortsAsync(string project, IReadOnlyDictionary<string, string> settings, TimeSpan timeout)
    {
        int grpc = FreePort(), http = FreePort();
        var service = new ServiceProcess(project, settings, Launch(project, settings, grpc, http), grpc, http);
        await service.WaitHealthyAsync(timeout);
        return service;
    }

    static Process Launch(string project, IReadOnlyDictionary<string, string> settings, int grpc, int http)
    {
        var dll = Path.Combine(Mrc.Tests.TestData.RepositoryRoot, "src", project, "bin", BuildConfiguration, "net10.0", project + ".dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"{dll} is not built; run the tests through `dotnet test MrcGrpc.sln`.", dll);

        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        var all = new Dictionary<string, string>(settings)
        {
            ["Kestrel:Endpoints:Grpc:Url"] = $"http://127.0.0.1:{grpc}",
            ["Kestrel:Endpoints:Grpc:Protocols"] = "Http2",
            ["Kestrel:Endpoints:Http:Url"] = $"http://127.0.0.1:{http}",
            ["Kestrel:Endpoints:Http:Protocols"] = "Http1",
        };
        foreach (var (key, value) in all) start.ArgumentList.Add($"--{key}={value}");
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        return Process.Start(start)!;
    }

    async Task WaitHealthyAsync(TimeSpan timeout)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                await process.WaitForExitAsync(); // the log is complete
                string message = $"{project} exited with {process.ExitCode}:\n{Log}";
                if (message.Contains("address already in use", StringComparison.OrdinalIgnoreCase)) throw new PortTakenException(message);
                throw new InvalidOperationException(message);
            }
            try
            {
                var response = await client.GetAsync(new Uri($"http://127.0.0.1:{HttpPort}/health"));
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(250);
        }
        await DisposeAsync();
        throw new TimeoutException($"{project} did not report healthy within {timeout}:\n{Log}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }

    static string BuildConfiguration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
