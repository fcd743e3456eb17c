using Mrc.Reader;
using Mrc.Reader.Grpc;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddGrpcServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.MapGrpcService<ReaderGrpcService>();
app.MapGrpcServiceDefaults();
app.MapDefaultEndpoints();

app.Run();
