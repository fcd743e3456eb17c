using System.Reflection;
using System.Text.Json;
using Mrc.Tests;
using YamlDotNet.RepresentationModel;

namespace Mrc.EndToEnd.Tests;

/// <summary>
/// compose.yaml cannot be run here (no container engine), so this keeps it honest against the code:
/// every setting it passes is one a service reads, its ports are the services' own, the services
/// it wires together point at each other's gRPC ports, and the AppHost sets the same names.
/// </summary>
public class DeploymentDescriptionTests
{
    static readonly YamlMappingNode Compose = LoadCompose();

    static YamlMappingNode LoadCompose()
    {
        var yaml = new YamlStream();
        using var reader = new StreamReader(Path.Combine(TestData.RepositoryRoot, "compose.yaml"));
        yaml.Load(reader);
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    static YamlMappingNode Services => (YamlMappingNode)Compose["services"];

    static YamlMappingNode Service(string name) => (YamlMappingNode)Services[name];

    static Dictionary<string, string> Environment(string service) =>
        Service(service).Children.TryGetValue("environment", out var node)
            ? ((YamlMappingNode)node).Children.ToDictionary(p => ((YamlScalarNode)p.Key).Value!, p => ((YamlScalarNode)p.Value).Value!)
            : [];

    static readonly Assembly[] ServiceAssemblies =
    [
        typeof(Mrc.Retriever.RetrieverOptions).Assembly,
        typeof(Mrc.Reader.ReaderOptions).Assembly,
        typeof(Mrc.Leaderboard.LeaderboardOptions).Assembly,
    ];

    [Fact]
    public void Compose_DescribesTheFourServicesAndTheIndexer()
    {
        Assert.Equal(["indexer", "leaderboard", "postgres", "reader", "retriever"],
            Services.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("retriever")]
    [InlineData("reader")]
    [InlineData("leaderboard")]
    public void EveryOptionSetting_IsAPropertyOfTheServicesOptions(string service)
    {
        foreach (var key in Environment(service).Keys.Where(k => !k.StartsWith("Kestrel__", StringComparison.Ordinal)
                                                                  && !k.StartsWith("ConnectionStrings__", StringComparison.Ordinal)))
        {
            var parts = key.Split("__");
            Assert.True(parts.Length == 2, $"{service}: {key} is not Section__Property");
            Assert.True(OptionsProperty(parts[0], parts[1]), $"{service}: no options class has section '{parts[0]}' with property '{parts[1]}' ({key})");
        }
    }

    [Theory]
    [InlineData("retriever", "RetrieverService")]
    [InlineData("reader", "ReaderService")]
    [InlineData("leaderboard", "Leaderboard.Web")]
    public void KestrelEndpoints_AreTheOnesTheServiceDefines_OnItsOwnPorts(string service, string project)
    {
        var defaults = KestrelEndpoints(project);
        var environment = Environment(service);
        foreach (var (name, url) in defaults)
        {
            Assert.True(environment.TryGetValue($"Kestrel__Endpoints__{name}__Url", out var composeUrl), $"{service} sets no {name} endpoint");
            Assert.Equal(new Uri(url).Port, new Uri(composeUrl).Port);
        }
        var published = ((YamlSequenceNode)Service(service)["ports"]).Children.Select(p => ((YamlScalarNode)p).Value!).ToList();
        Assert.Contains(published, p => p.EndsWith($":{new Uri(defaults["Grpc"]).Port}", StringComparison.Ordinal));
    }

    [Fact]
    public void Leaderboard_CallsTheRetrieverAndReaderOnTheirGrpcPorts()
    {
        var leaderboard = Environment("leaderboard");
        Assert.Equal(new Uri(Environment("retriever")["Kestrel__Endpoints__Grpc__Url"]).Port, new Uri(leaderboard["Evaluation__RetrieverAddress"]).Port);
        Assert.Equal("retriever", new Uri(leaderboard["Evaluation__RetrieverAddress"]).Host);
        Assert.Equal(new Uri(Environment("reader")["Kestrel__Endpoints__Grpc__Url"]).Port, new Uri(leaderboard["Evaluation__ReaderAddress"]).Port);
        Assert.Equal("reader", new Uri(leaderboard["Evaluation__ReaderAddress"]).Host);
        Assert.Equal("postgres", leaderboard["Database__Provider"]);
        Assert.Contains("Host=postgres", leaderboard["ConnectionStrings__LeaderboardPostgres"], StringComparison.Ordinal);
    }

    [Fact]
    public void Reader_ReservesAGpuAndBuildsTheCudaBackend()
    {
        var reader = Service("reader");
        var devices = (YamlSequenceNode)reader["deploy"]["resources"]["reservations"]["devices"];
        var device = (YamlMappingNode)devices.Children[0];
        Assert.Equal("nvidia", ((YamlScalarNode)device["driver"]).Value);
        Assert.Contains("gpu", ((YamlSequenceNode)device["capabilities"]).Children.Select(c => ((YamlScalarNode)c).Value));
        Assert.Equal("cuda", ((YamlScalarNode)reader["build"]["args"]["TORCH_BACKEND"]).Value);
        Assert.Equal("cuda", Environment("reader")["Reader__Device"]);
    }

    [Fact]
    public void Volumes_AreDeclaredAndMountedWhereTheServicesLook()
    {
        var declared = ((YamlMappingNode)Compose["volumes"]).Children.Keys.Select(k => ((YamlScalarNode)k).Value).ToHashSet();
        Assert.Equal(["index", "models", "pgdata"], declared.Order(StringComparer.Ordinal));
        Assert.Contains("index:/data/index:ro", Mounts("retriever"));
        Assert.Equal("/data/index", Environment("retriever")["Retriever__IndexPath"]);
        Assert.Contains("models:/models", Mounts("reader"));
        Assert.Equal("/models", Environment("reader")["Reader__ModelRepository"]);
    }

    [Fact]
    public void AppHost_SetsTheSameEndpointNamesAsCompose()
    {
        string appHost = string.Concat(Directory.EnumerateFiles(Path.Combine(TestData.RepositoryRoot, "src", "MrcGrpc.AppHost"), "*.cs")
            .Select(File.ReadAllText));
        foreach (var name in new[] { "Kestrel__Endpoints__Grpc__Url", "Kestrel__Endpoints__Http__Url", "Retriever__IndexPath",
                     "Reader__ModelRepository", "Evaluation__RetrieverAddress", "Evaluation__ReaderAddress" })
            Assert.Contains($"\"{name}\"", appHost, StringComparison.Ordinal);
    }

    static List<string> Mounts(string service) =>
        ((YamlSequenceNode)Service(service)["volumes"]).Children.Select(v => ((YamlScalarNode)v).Value!).ToList();

    static Dictionary<string, string> KestrelEndpoints(string project)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestData.RepositoryRoot, "src", project, "appsettings.json")));
        return json.RootElement.GetProperty("Kestrel").GetProperty("Endpoints").EnumerateObject()
            .ToDictionary(e => e.Name, e => e.Value.GetProperty("Url").GetString()!);
    }

    static bool OptionsProperty(string section, string property) =>
        ServiceAssemblies.SelectMany(a => a.GetTypes())
            .Where(t => t.GetFields(BindingFlags.Public | BindingFlags.Static)
                .Any(f => f.IsLiteral && f.Name == "SectionName" && (string?)f.GetRawConstantValue() == section))
            .Any(t => t.GetProperty(property) is not null);
}
