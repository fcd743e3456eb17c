var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddRetrieverServices();

var app = builder.Build();

app.MapRetrieverEndpoints();

app.Run();
