using Leaderboard.Web;
using Leaderboard.Web.Data;

var builder = WebApplication.CreateBuilder(args);
builder.AddLeaderboard();

var app = builder.Build();
await app.Services.MigrateLeaderboardDatabaseAsync();
app.MapLeaderboard();

await app.RunAsync();

/// <summary>The entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
