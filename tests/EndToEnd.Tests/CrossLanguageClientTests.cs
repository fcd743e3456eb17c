using System.Text.Json;
using Grpc.Net.Client;
using Mrc.Contracts.V1;
using Mrc.EndToEnd.Tests.Support;
using Mrc.Tests;
using ExternalProgram = Mrc.Tests.ExternalProgram;

namespace Mrc.EndToEnd.Tests;

/// <summary>
/// The services as other languages see them: separate processes on 127.0.0.1 called with nothing
/// but protos/ and each language's gRPC library.
/// </summary>
[Collection(SharedServices.Name)]
public sealed class CrossLanguageClientTests(RunningServices services)
{
    [Fact]
    public async Task DotNetClient_RetrievesTheGoldParagraphAndReadsAnAnswerFromIt()
    {
        using var retrieverChannel = GrpcChannel.ForAddress(services.Retriever.GrpcAddress);
        using var readerChannel = GrpcChannel.ForAddress(services.Reader.GrpcAddress);
        var retriever = new Mrc.Contracts.V1.Retriever.RetrieverClient(retrieverChannel);
        var reader = new Mrc.Contracts.V1.Reader.ReaderClient(readerChannel);

        var retrieved = await retriever.RetrieveAsync(new RetrieveRequest { Query = services.Sample.Question, TopK = 5 },
            deadline: DateTime.UtcNow.AddSeconds(30));
        var read = await reader.ReadAsync(new ReadRequest
        {
            Question = services.Sample.Question,
            Passages = { retrieved.Passages.Select(p => new ReadPassage { Id = p.Id, Title = p.Title, Text = p.Text, RetrieverScore = p.Score }) },
        }, deadline: DateTime.UtcNow.AddSeconds(60));

        Assert.Contains(retrieved.Passages, p => p.Text == services.Sample.Context);
        Assert.NotEmpty(read.Answers);
        Assert.Equal(RunningServices.ModelName, read.Model);
        var best = read.Answers[0];
        var passage = retrieved.Passages.Single(p => p.Id == best.PassageId);
        Assert.Equal(passage.Text[best.StartChar..best.EndChar], best.Text); // answers are cut from the passage
    }

    [Fact]
    public async Task PythonClient_RetrievesAndReads_WithGrpcioAndProtosAlone()
    {
        var python = ExternalProgram.Find("python3", "/usr/bin/python3");
        var (exit, output, error) = await ExternalProgram.RunAsync(python,
        [
            Path.Combine(TestData.RepositoryRoot, "clients", "python", "mrc_client.py"),
            "--retriever", services.Retriever.GrpcHostPort, "--reader", services.Reader.GrpcHostPort, services.Sample.Question,
        ], TestData.RepositoryRoot, TimeSpan.FromMinutes(2));

        Assert.True(exit == 0, $"python client failed ({exit}): {error}");
        AssertClientOutput(output);
    }

    [Fact]
    public async Task NodeClient_RetrievesAndReads_WithGrpcJsAndProtosAlone()
    {
        string clientFolder = Path.Combine(TestData.RepositoryRoot, "clients", "node");
        if (!Directory.Exists(Path.Combine(clientFolder, "node_modules", "@grpc", "grpc-js")))
        {
            var install = await ExternalProgram.RunAsync("npm", ["ci", "--no-audit", "--no-fund"], clientFolder, TimeSpan.FromMinutes(5));
            Assert.True(install.Exit == 0, $"npm ci failed: {install.Error}");
        }

        var (exit, output, error) = await ExternalProgram.RunAsync("node",
        [
            "retrieve-and-read.mjs", "--retriever", services.Retriever.GrpcHostPort, "--reader", services.Reader.GrpcHostPort, services.Sample.Question,
        ], clientFolder, TimeSpan.FromMinutes(2));

        Assert.True(exit == 0, $"node client failed ({exit}): {error}");
        AssertClientOutput(output);
    }

    void AssertClientOutput(string output)
    {
        using var json = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        var root = json.RootElement;
        Assert.Equal(services.Sample.Question, root.GetProperty("question").GetString());
        Assert.True(root.GetProperty("passages").GetArrayLength() > 0);
        Assert.Equal(1, root.GetProperty("passages")[0].GetProperty("rank").GetInt32());
        Assert.True(root.GetProperty("answers").GetArrayLength() > 0);
        Assert.Equal(RunningServices.ModelName, root.GetProperty("model").GetString());
    }
}
