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
            Assert.True(parts.Length >= 2, $"{service}: {key} is not Section__Property");
            Assert.True(OptionsProperty(parts[0], parts[1..]), $"{service}: no options class has section '{parts[0]}' with property '{string.Join(':', parts[1..])}' ({key})");
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

    /// <summary>http://host:port, or dns:///host:port as gRPC writes a DNS target.</summary>
    static (string Host, int Port) HostAndPort(string address)
    {
        var uri = new Uri(address);
        if (uri.Scheme != "dns") return (uri.Host, uri.Port);
        var parts = uri.AbsolutePath.Trim('/').Split(':');
        return (parts[0], int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Leaderboard_CallsTheRetrieverAndReaderOnTheirGrpcPorts()
    {
        var leaderboard = Environment("leaderboard");
        Assert.Equal(("retriever", new Uri(Environment("retriever")["Kestrel__Endpoints__Grpc__Url"]).Port), HostAndPort(leaderboard["Evaluation__RetrieverAddress"]));
        // The reader through its DNS name, which resolves to every replica of `--scale reader=N`.
        Assert.StartsWith("dns:///", leaderboard["Evaluation__ReaderAddress"], StringComparison.Ordinal);
        Assert.Equal(("reader", new Uri(Environment("reader")["Kestrel__Endpoints__Grpc__Url"]).Port), HostAndPort(leaderboard["Evaluation__ReaderAddress"]));
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

    [Fact]
    public void LongRunningServices_RestartUnlessStopped_AndTheOneShotIndexerDoesNot()
    {
        foreach (var name in new[] { "retriever", "reader", "leaderboard", "postgres" })
            Assert.True(Scalar(Service(name), "restart") == "unless-stopped", $"{name} has no restart: unless-stopped");
        Assert.True(Scalar(Service("indexer"), "restart") is null or "no", "the one-shot indexer must not be restarted");
    }

    [Fact]
    public void ServicesThatOnlyRead_MountTheirVolumesReadOnly_WhileTheIndexerWritesTheIndexAndTheReaderTeamModels()
    {
        Assert.Equal(["index:/data/index:ro"], Mounts("retriever"));
        // The reader publishes team model uploads into its repository.
        Assert.Equal(["models:/models"], Mounts("reader"));
        Assert.Equal(["index:/data/index"], Mounts("indexer"));
        var command = ((YamlSequenceNode)Service("indexer")["command"]).Children.Select(c => ((YamlScalarNode)c).Value!).ToList();
        Assert.Equal("/data/index", command[command.IndexOf("--out") + 1]);
    }

    static List<string> DockerfilePaths() =>
        Directory.EnumerateFiles(Path.Combine(TestData.RepositoryRoot, "src"), "Dockerfile", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(TestData.RepositoryRoot, f)).Order(StringComparer.Ordinal).ToList();

    public static TheoryData<string> Dockerfiles() => new(DockerfilePaths());

    [Fact]
    public void EveryServiceThatIsBuilt_HasADockerfileHere()
    {
        var built = BuiltServices().Select(b => b.Dockerfile).ToHashSet();
        Assert.Equal(DockerfilePaths(), built.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void Dockerfile_RunsItsFinalStageAsAnUnprivilegedUser(string dockerfile)
    {
        var stage = FinalStage(dockerfile);
        var user = stage.LastOrDefault(i => i.Instruction == "USER");
        Assert.True(user is not null, $"{dockerfile}: the final stage has no USER, so it runs as root");
        string name = Expand(user.Arguments, stage).Split(':')[0];
        Assert.True(name is not ("" or "root" or "0"), $"{dockerfile}: USER {user.Arguments} is root");
        // The user exists in the image: the base image's "app" or one made by the stage itself.
        Assert.Contains(stage, i => i.Instruction == "RUN" && i.Arguments.Contains("useradd", StringComparison.Ordinal));
        foreach (var (service, _) in BuiltServices().Where(b => b.Dockerfile == dockerfile))
            Assert.True(Scalar(Service(service), "user") is null, $"{service} overrides the image's user");
    }

    [Fact]
    public void WritableMounts_AreFoldersTheImagesUserOwns()
    {
        // A new named volume starts as a copy of the image's folder at the mount point, owner included.
        foreach (var (service, dockerfile) in BuiltServices())
        {
            var stage = FinalStage(dockerfile);
            string user = Expand(stage.Last(i => i.Instruction == "USER").Arguments, stage).Split(':')[0];
            var owned = stage.Where(i => i.Instruction == "RUN")
                .SelectMany(i => System.Text.RegularExpressions.Regex.Matches(i.Arguments, @"chown\s+(?:-R\s+)?(\S+)((?:\s+[^\s&;|]+)+)"))
                .Where(m => Expand(m.Groups[1].Value, stage).Split(':')[0] == user)
                .SelectMany(m => m.Groups[2].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                .ToHashSet();
            foreach (var mount in Service(service).Children.ContainsKey("volumes") ? Mounts(service) : [])
            {
                var parts = mount.Split(':');
                if (parts.Length > 2 && parts[2].Split(',').Contains("ro")) continue;
                Assert.True(owned.Contains(parts[1]), $"{service} writes {parts[1]}, which its image does not give to user {user}");
            }
        }
    }

    [Theory]
    [InlineData("retriever", "RetrieverService")]
    [InlineData("reader", "ReaderService")]
    [InlineData("leaderboard", "Leaderboard.Web")]
    public void HealthChecks_OfTheImageAndOfCompose_ProbeHealthOnTheHttpEndpoint(string service, string project)
    {
        int defaultPort = new Uri(KestrelEndpoints(project)["Http"]).Port;
        var healthcheck = FinalStage(Path.Combine("src", project, "Dockerfile")).SingleOrDefault(i => i.Instruction == "HEALTHCHECK");
        Assert.True(healthcheck is not null, $"{project}'s image has no HEALTHCHECK");
        var imageProbe = new Uri(System.Text.RegularExpressions.Regex.Match(healthcheck.Arguments, @"http://[^""\s]+").Value);
        Assert.Equal(("/health", defaultPort), (imageProbe.AbsolutePath, imageProbe.Port));

        var test = ((YamlSequenceNode)Service(service)["healthcheck"]["test"]).Children.Select(c => ((YamlScalarNode)c).Value!).ToList();
        var composeProbe = new Uri(test.Single(t => t.StartsWith("http://", StringComparison.Ordinal)));
        Assert.Equal(("/health", new Uri(Environment(service)["Kestrel__Endpoints__Http__Url"]).Port), (composeProbe.AbsolutePath, composeProbe.Port));
    }

    /// <summary>
    /// What `dotnet publish` would copy (the SDK's own list, ComputeResolvedFilesToPublishList, evaluated
    /// without building: about a second a project) holds no appsettings.Development.json, whose known
    /// admin secret must not reach an image. Needs the projects restored, which building this one does.
    /// </summary>
    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public async Task PublishedOutput_OfEveryImage_HoldsNoDevelopmentSettings(string dockerfile)
    {
        string folder = Path.Combine(TestData.RepositoryRoot, Path.GetDirectoryName(dockerfile)!);
        string project = Directory.EnumerateFiles(folder, "*.csproj").Single();
        var (exit, output, error) = await ExternalProgram.RunAsync("dotnet",
            ["msbuild", project, "-nologo", "-t:ComputeResolvedFilesToPublishList", "-getItem:ResolvedFileToPublish"],
            folder, TimeSpan.FromMinutes(2));
        Assert.True(exit == 0, $"dotnet msbuild {project} exited with {exit}:\n{output}\n{error}");
        using var json = JsonDocument.Parse(output[output.IndexOf('{', StringComparison.Ordinal)..]);
        var published = json.RootElement.GetProperty("Items").GetProperty("ResolvedFileToPublish").EnumerateArray()
            .Select(i => i.GetProperty("RelativePath").GetString()!.Replace('\\', '/')).ToList();

        Assert.NotEmpty(published);
        Assert.DoesNotContain(published, p => Path.GetFileName(p).Equals("appsettings.Development.json", StringComparison.OrdinalIgnoreCase));
        if (File.Exists(Path.Combine(folder, "appsettings.json"))) Assert.Contains("appsettings.json", published);
    }

    sealed record DockerInstruction(string Instruction, string Arguments);

    /// <summary>The instructions after the last FROM, continuation lines joined, comments left out.</summary>
    static List<DockerInstruction> FinalStage(string dockerfile)
    {
        var instructions = new List<DockerInstruction>();
        string pending = "";
        foreach (var raw in File.ReadLines(Path.Combine(TestData.RepositoryRoot, dockerfile)))
        {
            string line = raw.Trim();
            if (line.StartsWith('#') || (line.Length == 0 && pending.Length == 0)) continue;
            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }
            line = pending + line;
            pending = "";
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space < 0) continue;
            instructions.Add(new DockerInstruction(line[..space].ToUpperInvariant(), line[(space + 1)..].Trim()));
        }
        int from = instructions.FindLastIndex(i => i.Instruction == "FROM");
        Assert.True(from >= 0, $"{dockerfile} has no FROM");
        return instructions[(from + 1)..];
    }

    /// <summary>${NAME} and $NAME replaced by the stage's ARG defaults (the base image may set them too).</summary>
    static string Expand(string value, List<DockerInstruction> stage)
    {
        foreach (var arg in stage.Where(i => i.Instruction == "ARG" && i.Arguments.Contains('=', StringComparison.Ordinal)))
        {
            var (name, defaultValue) = (arg.Arguments[..arg.Arguments.IndexOf('=', StringComparison.Ordinal)], arg.Arguments[(arg.Arguments.IndexOf('=', StringComparison.Ordinal) + 1)..]);
            value = value.Replace("${" + name + "}", defaultValue, StringComparison.Ordinal).Replace("$" + name, defaultValue, StringComparison.Ordinal);
        }
        return value.Trim('"');
    }

    /// <summary>Services compose builds, with their Dockerfile relative to the repository root.</summary>
    static List<(string Service, string Dockerfile)> BuiltServices() =>
        Services.Children
            .Where(s => ((YamlMappingNode)s.Value).Children.ContainsKey("build"))
            .Select(s => (((YamlScalarNode)s.Key).Value!, Path.Combine(((YamlScalarNode)s.Value["build"]["dockerfile"]).Value!.Split('/'))))
            .ToList();

    static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value) ? ((YamlScalarNode)value).Value : null;

    static List<string> Mounts(string service) =>
        ((YamlSequenceNode)Service(service)["volumes"]).Children.Select(v => ((YamlScalarNode)v).Value!).ToList();

    static Dictionary<string, string> KestrelEndpoints(string project)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestData.RepositoryRoot, "src", project, "appsettings.json")));
        return json.RootElement.GetProperty("Kestrel").GetProperty("Endpoints").EnumerateObject()
            .ToDictionary(e => e.Name, e => e.Value.GetProperty("Url").GetString()!);
    }

    /// <summary>Whether an options class of <paramref name="section"/> has the property path (nested sections: Uploads__Secret).</summary>
    static bool OptionsProperty(string section, string[] path) =>
        ServiceAssemblies.SelectMany(a => a.GetTypes())
            .Where(t => t.GetFields(BindingFlags.Public | BindingFlags.Static)
                .Any(f => f.IsLiteral && f.Name == "SectionName" && (string?)f.GetRawConstantValue() == section))
            .Any(t => path.Aggregate((Type?)t, (type, name) => type?.GetProperty(name)?.PropertyType) is not null);
}
