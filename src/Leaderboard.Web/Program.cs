using Leaderboard.Web;
using Leaderboard.Web.Data;
using Leaderboard.Web.Domain;

var builder = WebApplication.CreateBuilder(args);
builder.AddLeaderboard();

var app = builder.Build();
await app.Services.MigrateLeaderboardDatabaseAsync();
await app.Services.SeedDemoAsync();
app.MapLeaderboard();

await app.RunAsync();

/// <summary>The entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
