namespace Mrc.Core.Data;

/// <summary>
/// The one ordering of model versions, so "latest" means the same version to the reader and the
/// leaderboard: numerically part by part where both parts are numbers ("10" &gt; "9", "1.10" &gt; "1.9",
/// "1-10" &gt; "1-2"), ordinally otherwise; a leading "v" is ignored and a version with more parts is
/// newer than its prefix ("1.0" &gt; "1").
/// </summary>
public sealed class VersionComparer : IComparer<string>
{
    public static readonly VersionComparer Instance = new();

    public int Compare(string? x, string? y)
    {
        var a = (x ?? "").TrimStart('v', 'V').Split('.', '-', '_');
        var b = (y ?? "").TrimStart('v', 'V').Split('.', '-', '_');
        for (var i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            if (i >= a.Length) return -1;
            if (i >= b.Length) return 1;
            var c = long.TryParse(a[i], out var na) && long.TryParse(b[i], out var nb)
                ? na.CompareTo(nb)
                : string.CompareOrdinal(a[i], b[i]);
            if (c != 0) return c;
        }
        return 0;
    }

    /// <summary>Whether a requested version means "the highest there is".</summary>
    public static bool MeansLatest(string? version) => string.IsNullOrWhiteSpace(version) || version == "latest";
}
