// The local form of the system on its embedded defaults: every service on 127.0.0.1, the demo
// index built from data/ on first start, the model repository models/, SQLite for the leaderboard.
// Services start once what they call reports healthy. compose.yaml describes the deployed form.
using MrcGrpc.AppHost;

var builder = DistributedApplication.CreateBuilder(args);
var paths = new LocalPaths(builder.AppHostDirectory);

// Builds .local/index from the demo corpus the first time; later starts find it and do nothing.
var indexer = builder.AddProject<Projects.Mrc_Cli>("indexer")
    .WithArgs("index", "build", "--corpus", paths.DemoCorpus, "--out", paths.Index, "--if-missing");

var retriever = builder.AddGrpcService<Projects.RetrieverService>("retriever")
    .WithEnvironment("Retriever__IndexPath", paths.Index)
    .WaitForCompletion(indexer);

var reader = builder.AddGrpcService<Projects.ReaderService>("reader")
    .WithEnvironment("Reader__ModelRepository", paths.Models);

var adminSecret = builder.AddParameter("leaderboard-admin-secret", secret: true);

builder.AddGrpcService<Projects.Leaderboard_Web>("leaderboard")
    .WithEnvironment("ConnectionStrings__Leaderboard", $"Data Source={paths.Database}")
    .WithEnvironment("Leaderboard__AdminSecret", adminSecret)
    .WithEnvironment("Evaluation__RetrieverAddress", retriever.GetEndpoint("grpc"))
    .WithEnvironment("Evaluation__ReaderAddress", reader.GetEndpoint("grpc"))
    .WaitFor(retriever)
    .WaitFor(reader);

builder.Build().Run();
