using System.Net;
using System.Net.Http.Headers;
using Grpc.Core;
using Mrc.Contracts.V1;
using Mrc.Leaderboard.Domain;
using Mrc.Leaderboard.Tests.Support;

namespace Mrc.Leaderboard.Tests;

/// <summary>Wrong tokens from one client address: refused for a while after a few, over gRPC and JSON alike.</summary>
public sealed class SignInThrottleTests
{
    static readonly Dictionary<string, string?> Settings = new()
    {
        ["Leaderboard:SignInFailuresAllowed"] = "5",
        ["Leaderboard:SignInLockoutSeconds"] = "2",
    };

    [Fact]
    public async Task WrongTokensOverGrpc_AfterFive_AreRefusedWithResourceExhaustedAndRetryAfter_EvenTheRightOne_UntilTheLockoutPasses()
    {
        using var database = TestDatabase.Sqlite();
        await using var pipeline = await FakePipeline.StartAsync();
        await using var host = await LeaderboardHost.StartAsync(database, pipeline.Address, Settings);
        var (_, token) = await host.Get<TeamService>().CreateAsync("알파");
        var guesser = host.Client("wrong-token-0123456789");

        for (int i = 0; i < 5; i++)
        {
            var wrong = await Assert.ThrowsAsync<RpcException>(() => guesser.ListEvaluationSetsAsync(new()).ResponseAsync);
            Assert.Equal(StatusCode.Unauthenticated, wrong.StatusCode);
        }
        using var sixth = guesser.ListEvaluationSetsAsync(new());
        var refused = await Assert.ThrowsAsync<RpcException>(() => sixth.ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Contains("try again in 2 seconds", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("2", (await sixth.ResponseHeadersAsync).GetValue("retry-after"));

        // The same address with the right token: still refused until the lockout passes, then let in.
        var team = host.Client(token);
        Assert.Equal(StatusCode.ResourceExhausted,
            (await Assert.ThrowsAsync<RpcException>(() => team.ListEvaluationSetsAsync(new()).ResponseAsync)).StatusCode);
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        await team.ListEvaluationSetsAsync(new());
    }

    [Fact]
    public async Task WrongTokensOverJson_AfterFive_Get429WithRetryAfter_AndOtherAddressesAreNotAffected()
    {
        using var database = TestDatabase.Sqlite();
        await using var pipeline = await FakePipeline.StartAsync();
        await using var host = await LeaderboardHost.StartAsync(database, pipeline.Address, Settings);
        var (_, token) = await host.Get<TeamService>().CreateAsync("알파");
        using var http = new HttpClient { BaseAddress = host.HttpAddress };

        // Loopback is a trusted proxy by default: X-Forwarded-For gives each request its client address.
        async Task<HttpResponseMessage> ListAsync(string bearer, string client)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/evaluation-sets");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            request.Headers.Add("X-Forwarded-For", client);
            return await http.SendAsync(request);
        }

        for (int i = 0; i < 5; i++)
        {
            using var wrong = await ListAsync("wrong-token-0123456789", "203.0.113.7");
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }
        using var refused = await ListAsync("wrong-token-0123456789", "203.0.113.7");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(2), refused.Headers.RetryAfter?.Delta);
        Assert.Contains("Too many failed sign-ins from this address", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var other = await ListAsync(token, "203.0.113.8");
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }
}
