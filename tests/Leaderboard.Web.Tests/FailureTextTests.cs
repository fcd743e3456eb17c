using Mrc.Leaderboard.Evaluation;

namespace Mrc.Leaderboard.Tests;

/// <summary>Failure reasons shown to teams keep what went wrong and drop the server's folders.</summary>
public sealed class FailureTextTests
{
    [Theory]
    [InlineData("FailedPrecondition: model ko/1 cannot be loaded: /srv/models/ko/1/model.safetensors: no weights",
                "FailedPrecondition: model ko/1 cannot be loaded: …/model.safetensors: no weights")]
    [InlineData("no index at /data/index (run `mrc index build --out DIR`)", "no index at …/index (run `mrc index build --out DIR`)")]
    [InlineData("Reader.Read failed after 10 attempts: Unavailable: connection refused", "Reader.Read failed after 10 attempts: Unavailable: connection refused")]
    public void AbsolutePaths_KeepOnlyTheirLastPart(string reason, string expected) =>
        Assert.Equal(expected, FailureText.ForTeams(reason));
}
