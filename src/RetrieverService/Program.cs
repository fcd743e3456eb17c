using Mrc.Retriever;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddRetriever();

var app = builder.Build();
app.MapRetriever();
app.Run();
