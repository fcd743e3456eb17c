using Mrc.Cli;

namespace Mrc.Cli.Tests;

/// <summary>Runs `mrc` in this process, as its Main does, and returns the exit code with what it printed.</summary>
internal static class InProcessCli
{
    public static async Task<(int Exit, string Out, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int exit = await MrcCommandLine.RunAsync(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }
}
