using Mrc.Core.Data;

namespace Mrc.Cli.Commands;

/// <summary>
/// Turns expected failures (unreadable or malformed input files) into one readable line on
/// stderr and exit code 2, instead of a stack trace.
/// </summary>
internal static class CommandErrors
{
    public const int InputError = 2;

    public static async Task<int> Guard(CliConsole console, Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (DataFormatException e)
        {
            await console.Error.WriteLineAsync($"error: {e.Message}");
        }
        catch (FileNotFoundException e)
        {
            await console.Error.WriteLineAsync($"error: file not found: {e.FileName ?? e.Message}");
        }
        catch (DirectoryNotFoundException e)
        {
            await console.Error.WriteLineAsync($"error: {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            await console.Error.WriteLineAsync($"error: {e.Message}");
        }
        catch (ArgumentException e)
        {
            await console.Error.WriteLineAsync($"error: {e.Message}");
        }
        return InputError;
    }
}
