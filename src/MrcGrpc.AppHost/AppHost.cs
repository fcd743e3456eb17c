// The local form of the system: every service on 127.0.0.1, started in dependency order once
// the services it calls report healthy. compose.yaml describes the deployed form.
var builder = DistributedApplication.CreateBuilder(args);

var retriever = builder.AddProject<Projects.RetrieverService>("retriever")
    .WithHttpHealthCheck("/health");

var reader = builder.AddProject<Projects.ReaderService>("reader")
    .WithHttpHealthCheck("/health");

builder.Build().Run();
