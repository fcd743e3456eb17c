// The local form of the system: every service on 127.0.0.1, started in dependency order once
// the services it calls report healthy. compose.yaml describes the deployed form.
using MrcGrpc.AppHost;

var builder = DistributedApplication.CreateBuilder(args);

var retriever = builder.AddGrpcService<Projects.RetrieverService>("retriever");
var reader = builder.AddGrpcService<Projects.ReaderService>("reader");

builder.Build().Run();
