using System.Text.Json;
using Google.Protobuf;
using Mrc.Contracts.V1;

namespace Mrc.Contracts.Tests;

public class ProtoContractTests
{
    [Fact]
    public void EveryService_HasClientAndServerStubs()
    {
        Assert.NotNull(typeof(Retriever.RetrieverClient));
        Assert.NotNull(typeof(Retriever.RetrieverBase));
        Assert.NotNull(typeof(Reader.ReaderClient));
        Assert.NotNull(typeof(Reader.ReaderBase));
        Assert.NotNull(typeof(Leaderboard.LeaderboardClient));
        Assert.NotNull(typeof(Leaderboard.LeaderboardBase));
        Assert.NotNull(typeof(LeaderboardAdmin.LeaderboardAdminClient));
        Assert.NotNull(typeof(LeaderboardAdmin.LeaderboardAdminBase));
    }

    [Fact]
    public void EveryEnum_StartsWithAnUnspecifiedZero()
    {
        var files = new[] { RetrieverReflection.Descriptor, ReaderReflection.Descriptor, ModelUploadsReflection.Descriptor, LeaderboardReflection.Descriptor, LeaderboardAdminReflection.Descriptor };
        foreach (var file in files)
            foreach (var enumType in file.EnumTypes)
                Assert.EndsWith("_UNSPECIFIED", enumType.Values.Single(v => v.Number == 0).Name);
    }

    [Fact]
    public void LeaderboardMethods_CarryHttpRulesForJsonTranscoding()
    {
        var services = new[] { LeaderboardReflection.Descriptor.Services.Single(), LeaderboardAdminReflection.Descriptor.Services.Single() };
        // A client stream (UploadModelChunks) has no JSON form.
        foreach (var method in services.SelectMany(s => s.Methods).Where(m => !m.IsClientStreaming))
        {
            var rule = method.GetOptions().GetExtension(Google.Api.AnnotationsExtensions.Http);
            Assert.True(rule is not null, $"{method.Name} has no google.api.http rule");
            Assert.StartsWith("/api/v1/", rule.Get + rule.Post + rule.Put + rule.Patch + rule.Delete);
        }
        // The admin API lives under its own prefix.
        Assert.All(services[1].Methods, m => Assert.Contains("/api/v1/admin/", m.GetOptions().GetExtension(Google.Api.AnnotationsExtensions.Http).ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public void ReadRequest_RoundTripsKoreanTextThroughTheWireFormat()
    {
        var request = new ReadRequest
        {
            Question = "대한민국의 수도는?",
            Passages = { new ReadPassage { Id = "p1", Title = "서울", Text = "서울은 대한민국의 수도이다.", RetrieverScore = 12.5f } },
            Model = "ko-reader-small",
            Options = new ReadOptions { Mode = ReadMode.Separate, NBest = 5 },
        };

        var parsed = ReadRequest.Parser.ParseFrom(request.ToByteArray());

        Assert.Equal(request, parsed);
    }

    [Fact]
    public void RetrieveOptions_DistinguishUnsetFromZero()
    {
        var unset = new RetrieveOptions();
        var zero = new RetrieveOptions { B = 0f };

        Assert.False(unset.HasB);
        Assert.True(RetrieveOptions.Parser.ParseFrom(zero.ToByteArray()).HasB);
    }

    [Fact]
    public async Task Protos_LoadInNodeProtoLoader_FromProtosFolderAlone()
    {
        var clientFolder = Path.Combine(Mrc.Tests.TestData.RepositoryRoot, "clients", "node");
        if (!Directory.Exists(Path.Combine(clientFolder, "node_modules", "@grpc", "proto-loader")))
        {
            var install = await Mrc.Tests.ExternalProgram.RunAsync("npm", ["ci", "--no-audit", "--no-fund"], clientFolder, TimeSpan.FromMinutes(5));
            Assert.True(install.Exit == 0, $"npm ci failed in {clientFolder}: {install.Error}");
        }

        var (exit, output, error) = await Mrc.Tests.ExternalProgram.RunAsync(
            "node", ["describe-protos.mjs"], clientFolder, TimeSpan.FromMinutes(1));

        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        var services = json.RootElement;
        Assert.Equal(["GetIndexInfo", "ListIndexes", "Retrieve", "RetrieveBatch"], Methods(services, "mrc.v1.Retriever"));
        Assert.Equal(["ListModels", "Read"], Methods(services, "mrc.v1.Reader"));
        Assert.Equal(["Abort", "Begin", "Commit", "Status", "Upload"], Methods(services, "mrc.v1.ModelUploads"));
        Assert.True(services.GetProperty("mrc.v1.ModelUploads").GetProperty("Upload").GetProperty("requestStream").GetBoolean());
        Assert.Contains("Submit", Methods(services, "mrc.v1.Leaderboard"));
        Assert.Contains("CompareSubmissions", Methods(services, "mrc.v1.Leaderboard"));
        Assert.Contains("ExportLeaderboard", Methods(services, "mrc.v1.LeaderboardAdmin"));
        Assert.True(services.GetProperty("mrc.v1.Leaderboard").GetProperty("WatchSubmission").GetProperty("responseStream").GetBoolean());
        Assert.Equal("/mrc.v1.Reader/Read", services.GetProperty("mrc.v1.Reader").GetProperty("Read").GetProperty("path").GetString());
    }

    static string[] Methods(JsonElement services, string service) =>
        services.GetProperty(service).EnumerateObject().Select(m => m.Name).Order(StringComparer.Ordinal).ToArray();
}
