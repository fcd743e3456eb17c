using Mrc.Leaderboard;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddLeaderboard();

var app = builder.Build();
app.MapLeaderboard();
await app.RunAsync();

/// <summary>The entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
