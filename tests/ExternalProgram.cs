using System.Diagnostics;

namespace Mrc.Tests;

/// <summary>Runs a program to completion (with a time limit) and returns its exit code and output.</summary>
public static class ExternalProgram
{
    public static async Task<(int Exit, string Out, string Error)> RunAsync(
        string fileName, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish within {timeout}");
        }
        return (process.ExitCode, await output, await error);
    }

    /// <summary>The first of <paramref name="candidates"/> that exists, else the bare name (looked up on PATH).</summary>
    public static string Find(string name, params string[] candidates) => candidates.FirstOrDefault(File.Exists) ?? name;
}
