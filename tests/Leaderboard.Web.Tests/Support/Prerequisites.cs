namespace Mrc.Leaderboard.Tests.Support;

/// <summary>
/// Tests that need a system program. Outside CI they are skipped with the reason when it is missing;
/// in CI (CI=true) they run anyway and fail loudly, because there a missing program is a broken setup.
/// </summary>
public static class Prerequisites
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public const string PostgresBin = "/usr/lib/postgresql/15/bin";

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string? MissingChromium() =>
        File.Exists(ChromiumPath) ? null : $"chromium is not installed at {ChromiumPath} (apt-get install chromium fonts-nanum)";

    public static string? MissingPostgres() =>
        File.Exists(Path.Combine(PostgresBin, "initdb")) && File.Exists(Path.Combine(PostgresBin, "pg_ctl"))
            ? null
            : $"PostgreSQL 15 is not installed under {PostgresBin} (apt-get install postgresql)";
}

/// <summary>A fact that needs Debian's chromium.</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (!Prerequisites.InCi && Prerequisites.MissingChromium() is { } reason) Skip = reason;
    }
}

/// <summary>A fact that needs PostgreSQL 15.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (!Prerequisites.InCi && Prerequisites.MissingPostgres() is { } reason) Skip = reason;
    }
}

/// <summary>A fact that needs Debian's chromium and PostgreSQL 15.</summary>
public sealed class BrowserAndPostgresFactAttribute : FactAttribute
{
    public BrowserAndPostgresFactAttribute()
    {
        if (Prerequisites.InCi) return;
        var reason = Prerequisites.MissingChromium() ?? Prerequisites.MissingPostgres();
        if (reason is not null) Skip = reason;
    }
}
