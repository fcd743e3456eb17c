using System.Text.RegularExpressions;

namespace Mrc.Leaderboard.Evaluation;

/// <summary>
/// A failure reason as teams may see it: the services' messages name files on the server (a model
/// folder, an index path) to help operators, and teams have no business with the server's layout. Each
/// absolute path keeps only its last part; the operator's log keeps the whole message.
/// </summary>
public static partial class FailureText
{
    public static string ForTeams(string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        return AbsolutePath().Replace(reason, m => "…/" + m.Groups["last"].Value);
    }

    // "/a/b/c" (two or more segments) or "C:\a\b"; the last segment is kept.
    [GeneratedRegex(@"(?:[A-Za-z]:\\|/)(?:[^\s/\\:'""()]+[/\\])+(?<last>[^\s/\\:'""()]*)")]
    private static partial Regex AbsolutePath();
}
