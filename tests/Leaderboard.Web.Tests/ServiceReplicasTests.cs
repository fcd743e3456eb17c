using Mrc.Leaderboard.Evaluation;

namespace Mrc.Leaderboard.Tests;

/// <summary>Which reader/retriever address settings the leaderboard accepts (Evaluation:ReaderAddress / ReaderAddresses).</summary>
public sealed class ServiceReplicasTests
{
    static string? Problem(string? address, params string[] replicas) =>
        new ServiceReplicas("reader", address is null ? null : new Uri(address), [.. replicas.Select(r => new Uri(r))]).Problem;

    [Theory]
    [InlineData("http://127.0.0.1:5201")]
    [InlineData("https://reader.example:443")]
    [InlineData("dns:///reader:5201")]
    public void OneAddress_IsAccepted(string address) => Assert.Null(Problem(address));

    [Fact]
    public void SeveralHttpReplicas_AreAccepted() => Assert.Null(Problem(null, "http://10.0.0.1:5201", "http://10.0.0.2:5201"));

    [Fact]
    public void AListOfReplicas_ReplacesTheSingleAddress()
    {
        var replicas = new ServiceReplicas("reader", new Uri("http://127.0.0.1:5201"), [new Uri("http://10.0.0.1:5201")]);
        Assert.Null(replicas.Address);
        Assert.Null(replicas.Problem);
    }

    [Theory]
    [InlineData(null, new string[0], "give the reader's address")]
    [InlineData("dns:///reader", new string[0], "dns:///host:port")]
    [InlineData("ftp://reader:21", new string[0], "not an http, https or dns address")]
    [InlineData(null, new[] { "http://a:1", "https://b:1" }, "https://b:1/ is not an http:// address")]
    public void Refused_WithTheReason(string? address, string[] replicas, string reason) =>
        Assert.Contains(reason, Problem(address, replicas));
}
