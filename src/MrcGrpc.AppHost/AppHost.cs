// The local form of the system on its embedded defaults: every service on 127.0.0.1, the demo
// index built from data/ on first start, the model repository models/ with the shipped reader, SQLite
// for the leaderboard with a demo evaluation set (the held-out test articles of part a, never trained
// on) and a demo team. Services start once what they call reports healthy. compose.yaml describes the
// deployed form.
using MrcGrpc.AppHost;

var builder = DistributedApplication.CreateBuilder(args);
var paths = new LocalPaths(builder.AppHostDirectory, builder.Configuration["LocalFolder"]);

// Builds .local/index from the demo corpus the first time; later starts find it and do nothing.
var indexer = builder.AddProject<Projects.Mrc_Cli>("indexer")
    .WithArgs("index", "build", "--corpus", paths.DemoCorpus, "--out", paths.Index, "--if-missing");

var retriever = builder.AddGrpcService<Projects.RetrieverService>("retriever")
    .WithEnvironment("Retriever__IndexPath", paths.Index)
    .WaitForCompletion(indexer);

var reader = builder.AddGrpcService<Projects.ReaderService>("reader")
    .WithEnvironment("Reader__ModelRepository", paths.Models);

// The article split of part a (train/dev/test, the one the shipped reader was trained and selected on);
// its test articles become the demo evaluation set. Deterministic, so rewriting it changes nothing.
var demoSplit = builder.AddProject<Projects.Mrc_Cli>("demo-split")
    .WithArgs("dataset", "split", paths.DemoCorpus, "--out", paths.Split);

var adminSecret = builder.AddParameter("leaderboard-admin-secret", secret: true);
var demoTeamToken = builder.AddParameter("leaderboard-demo-team-token", secret: true);

builder.AddGrpcService<Projects.Leaderboard_Web>("leaderboard")
    .WithEnvironment("ConnectionStrings__Leaderboard", $"Data Source={paths.Database}")
    .WithEnvironment("Leaderboard__AdminSecret", adminSecret)
    .WithEnvironment("Experiments__RunsPath", paths.Runs)
    .WithEnvironment("Demo__EvaluationSetName", LocalPaths.DemoEvaluationSetName)
    .WithEnvironment("Demo__EvaluationSetPath", paths.DemoEvaluationSet)
    .WithEnvironment("Demo__TeamName", LocalPaths.DemoTeamName)
    .WithEnvironment("Demo__TeamToken", demoTeamToken)
    .WithEnvironment("Evaluation__RetrieverAddress", retriever.GetEndpoint("grpc"))
    .WithEnvironment("Evaluation__ReaderAddress", reader.GetEndpoint("grpc"))
    .WaitForCompletion(demoSplit)
    .WaitFor(retriever)
    .WaitFor(reader);

builder.Build().Run();
