using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Mrc.Reader.Tests.Support;

namespace Mrc.Reader.Tests;

/// <summary>The reader as curl users see it: JSON over a real HTTP/1.1 connection to Kestrel, with a tiny model repository.</summary>
public sealed class ReaderJsonTests : IAsyncLifetime, IDisposable
{
    readonly TinyModelRepository repository = new();
    WebApplication app = null!;
    HttpClient http = null!;

    static string EmptyContentRoot { get; } =
        Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "mrc-reader-json-tests", "content-root")).FullName;

    public async Task InitializeAsync()
    {
        int port = FreePort();
        string[] args =
        [
            $"--Kestrel:Endpoints:Http:Url=http://127.0.0.1:{port}",
            "--Kestrel:Endpoints:Http:Protocols=Http1",
            $"--Reader:ModelRepository={repository.Root}",
            "--Reader:DefaultModel=korean-tiny",
            "--Reader:Device=cpu",
            "--Logging:LogLevel:Default=Warning",
        ];
        // An empty content root: the service's appsettings.json binds fixed ports, the test wants a free one.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = EmptyContentRoot });
        builder.AddServiceDefaults();
        builder.AddReader();
        app = builder.Build();
        app.MapReader();
        await app.StartAsync();
        http = new HttpClient
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"),
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
    }

    public async Task DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        Dispose();
    }

    public void Dispose()
    {
        http?.Dispose();
        repository.Dispose();
    }

    static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    static object Request(string question, string? model = null) => new
    {
        question,
        model = model ?? "",
        passages = new[] { new { id = "doc-0", title = "t", text = TinyModelRepository.Context } },
        options = new { nBest = 2 },
    };

    [Fact]
    public async Task PostRead_AnswersWithSpansCutFromThePassage()
    {
        using var response = await http.PostAsJsonAsync("/api/v1/read", Request(TinyModelRepository.Question));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new Version(1, 1), response.Version);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("korean-tiny", json.RootElement.GetProperty("model").GetString());
        var answers = json.RootElement.GetProperty("answers");
        Assert.Equal(2, answers.GetArrayLength());
        foreach (var answer in answers.EnumerateArray())
        {
            int start = answer.GetProperty("startChar").GetInt32(), end = answer.GetProperty("endChar").GetInt32();
            Assert.Equal(TinyModelRepository.Context[start..end], answer.GetProperty("text").GetString());
            Assert.Equal("doc-0", answer.GetProperty("passageId").GetString());
        }
    }

    [Fact]
    public async Task GetModels_ListsTheRepository()
    {
        using var json = JsonDocument.Parse(await http.GetStringAsync("/api/v1/models"));

        var names = json.RootElement.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("name").GetString()).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(["broken", "korean-tiny", "other-tiny"], names);
    }

    [Fact]
    public async Task AnUnknownModel_Is404_AndAnEmptyQuestion400_WithTheirMessages()
    {
        using var unknown = await http.PostAsJsonAsync("/api/v1/read", Request(TinyModelRepository.Question, model: "nope"));
        using var empty = await http.PostAsJsonAsync("/api/v1/read", Request(""));

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var unknownJson = JsonDocument.Parse(await unknown.Content.ReadAsStringAsync());
        Assert.Contains("nope", unknownJson.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        using var emptyJson = JsonDocument.Parse(await empty.Content.ReadAsStringAsync());
        Assert.Contains("question", emptyJson.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
