using Mrc.Tests;

namespace Mrc.Reader.Tests.Reference;

/// <summary>
/// A fact that needs external reference programs; skipped, naming what to install, when one is not
/// on PATH (.ci/run installs them all, so CI never skips).
/// </summary>
internal sealed class RequiresProgramsFactAttribute : FactAttribute
{
    public RequiresProgramsFactAttribute(params string[] programs)
    {
        var missing = programs.Where(p => ReferencePrograms.Locate(p) is null).ToList();
        if (missing.Count > 0)
            Skip = $"reference program(s) {string.Join(", ", missing)} not installed: apt-get install sentencepiece nodejs npm (as .ci/run does).";
    }
}

internal static class ReferencePrograms
{
    /// <summary>The full path of <paramref name="program"/> on PATH, or null.</summary>
    public static string? Locate(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, program))
            .FirstOrDefault(File.Exists);

    /// <summary>Runs a program that must succeed; its standard output.</summary>
    public static async Task<string> RunAsync(string program, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout)
    {
        var list = arguments.ToList();
        var (exit, output, error) = await ExternalProgram.RunAsync(program, list, workingDirectory, timeout);
        if (exit != 0) throw new InvalidOperationException($"{program} {string.Join(' ', list)} failed ({exit}): {error}");
        return output;
    }
}
