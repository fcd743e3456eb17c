using Grpc.Core;
using Mrc.Core.Data;
using Mrc.Retrieval.Elasticsearch;
using Mrc.Retrieval.Search;

namespace Mrc.Cli.Commands;

/// <summary>
/// Turns expected failures into one readable line on stderr and an exit code, instead of a stack
/// trace: unreadable or malformed input files and bad options exit 2, a server's refusal (or a server
/// that cannot be reached) exits 3.
/// </summary>
internal static class CommandErrors
{
    public const int InputError = 2;
    public const int ServerRefused = 3;

    public static async Task<int> Guard(CliConsole console, Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (RpcException e)
        {
            await console.Error.WriteLineAsync($"error: {e.StatusCode}: {e.Status.Detail}");
            return ServerRefused;
        }
        catch (Exception e) when (e is SearchServerUnavailableException or ElasticsearchRequestException)
        {
            // An Elasticsearch server that cannot be reached or refused a request; the message says which and why.
            await console.Error.WriteLineAsync($"error: {e.Message}");
            return ServerRefused;
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
        catch (IOException e)
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
