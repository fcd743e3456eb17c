using Mrc.Reader;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddReader();

var app = builder.Build();
app.MapReader();
app.Run();
