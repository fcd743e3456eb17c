using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Mrc.Leaderboard.Evaluation;
using Mrc.Leaderboard.Health;
using Mrc.Leaderboard.Tests.Support;

namespace Mrc.Leaderboard.Tests;

/// <summary>
/// /health of the real host (what compose's healthcheck calls): 200 while the database answers and the
/// evaluation worker runs, 503 with the reason of the check that failed otherwise, the reason naming
/// no connection string, server or file path.
/// </summary>
public sealed class HealthTests
{
    // The checks call neither the retriever nor the reader; nothing listens here.
    static readonly Uri NoPipeline = new("http://127.0.0.1:9");

    sealed record Check(string Status, string Description);

    static async Task<(HttpStatusCode Code, Dictionary<string, Check> Checks)> HealthAsync(LeaderboardHost host)
    {
        using var http = new HttpClient { BaseAddress = host.HttpAddress };
        using var response = await http.GetAsync(new Uri("/health", UriKind.Relative));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var checks = json.RootElement.GetProperty("checks").EnumerateArray().ToDictionary(
            c => c.GetProperty("name").GetString()!,
            c => new Check(c.GetProperty("status").GetString()!, c.GetProperty("description").GetString()!));
        return (response.StatusCode, checks);
    }

    static void AssertHealthy(HttpStatusCode code, Dictionary<string, Check> checks)
    {
        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal("Healthy", checks["database"].Status);
        Assert.Equal("Healthy", checks["evaluation-worker"].Status);
    }

    [Fact]
    public async Task Health_IsHealthy_WhileTheDatabaseAnswersAndTheWorkerRuns()
    {
        using var database = TestDatabase.Sqlite();
        await using var host = await LeaderboardHost.StartAsync(database, NoPipeline);

        var (code, checks) = await HealthAsync(host);

        AssertHealthy(code, checks);
        Assert.Equal("SQLite answers", checks["database"].Description);
        Assert.Equal("the evaluation worker is running", checks["evaluation-worker"].Description);
        Assert.Equal("Healthy", checks["self"].Status);
    }

    [Fact]
    public async Task Health_ReportsTheDatabase_WhenTheSqliteFolderIsGone()
    {
        using var database = TestDatabase.Sqlite();
        string file = new SqliteConnectionStringBuilder(database.Settings["ConnectionStrings:Leaderboard"]).DataSource;
        string folder = Path.GetDirectoryName(file)!;
        await using var host = await LeaderboardHost.StartAsync(database, NoPipeline);
        var (okCode, okChecks) = await HealthAsync(host);
        AssertHealthy(okCode, okChecks);

        // The pool still holds connections to the deleted file, and those would go on answering.
        Directory.Delete(folder, recursive: true);
        var (code, checks) = await HealthAsync(host);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, code);
        Assert.Equal("Unhealthy", checks["database"].Status);
        Assert.Equal("SQLite does not answer: SQLite error 14: unable to open database file", checks["database"].Description);
        Assert.DoesNotContain(folder, checks["database"].Description, StringComparison.Ordinal);
        Assert.Equal("Healthy", checks["evaluation-worker"].Status);
        Assert.False(Directory.Exists(folder), "the check must not create the database again");
    }

    [PostgresFact]
    public async Task Health_ReportsTheDatabase_WhenPostgresStops()
    {
        await using var postgres = await PostgresServer.StartAsync();
        using var database = TestDatabase.Postgres(postgres.ConnectionString("leaderboard"));
        await using var host = await LeaderboardHost.StartAsync(database, NoPipeline);
        var (okCode, okChecks) = await HealthAsync(host);
        AssertHealthy(okCode, okChecks);
        Assert.Equal("PostgreSQL answers", okChecks["database"].Description);

        await postgres.StopAsync();
        var (code, checks) = await HealthAsync(host);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, code);
        Assert.Equal("Unhealthy", checks["database"].Status);
        string reason = checks["database"].Description;
        Assert.StartsWith("PostgreSQL does not answer: cannot connect to the server", reason, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", reason, StringComparison.Ordinal);
        Assert.DoesNotContain(postgres.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), reason, StringComparison.Ordinal);
        Assert.DoesNotContain("Host=", reason, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("Healthy", checks["evaluation-worker"].Status);
    }

    [Fact]
    public async Task Health_ReportsTheWorker_WhenItHasStopped()
    {
        using var database = TestDatabase.Sqlite();
        await using var host = await LeaderboardHost.StartAsync(database, NoPipeline);
        var worker = host.Services.GetServices<IHostedService>().OfType<EvaluationWorker>().Single();

        await worker.StopAsync(CancellationToken.None);
        var (code, checks) = await HealthAsync(host);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, code);
        Assert.Equal("Unhealthy", checks["evaluation-worker"].Status);
        Assert.Equal("the evaluation worker has stopped; queued model runs are not evaluated", checks["evaluation-worker"].Description);
        Assert.Equal("Healthy", checks["database"].Status);
    }

    [Fact]
    public async Task WorkerCheck_ReportsAFailedLoop_ByTheExceptionsTypeOnly()
    {
        using var failing = new FailingService();
        await failing.StartAsync(CancellationToken.None);
        await Assert.ThrowsAsync<InvalidOperationException>(() => failing.ExecuteTask!);

        var result = EvaluationWorkerHealthCheck.Check(failing, "the loop", HealthStatus.Unhealthy);

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal("the loop stopped with InvalidOperationException; queued model runs are not evaluated", result.Description);
        Assert.IsType<InvalidOperationException>(result.Exception);
    }

    [Fact]
    public void WorkerCheck_IsUnhealthy_BeforeTheLoopStartsOrWithoutTheWorker()
    {
        using var idle = new FailingService();
        Assert.Equal("the loop has not started", EvaluationWorkerHealthCheck.Check(idle, "the loop", HealthStatus.Unhealthy).Description);
        Assert.Equal("the loop is not registered", EvaluationWorkerHealthCheck.Check(null, "the loop", HealthStatus.Unhealthy).Description);
    }

    sealed class FailingService : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Task.Yield();
            throw new InvalidOperationException("Host=db.internal;Password=secret");
        }
    }
}
