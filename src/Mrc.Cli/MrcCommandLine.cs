using System.CommandLine;
using Mrc.Cli.Commands;

namespace Mrc.Cli;

/// <summary>The `mrc` command tree. Each command group lives in its own file under Commands/.</summary>
public static class MrcCommandLine
{
    public static RootCommand Build(TextWriter output, TextWriter error)
    {
        var console = new CliConsole(output, error);
        var root = new RootCommand("MrcGrpc: Korean open-domain question answering tools.")
        {
            EvalCommand.Create(console),
            IndexCommands.Create(console),
            CorpusCommands.Create(console),
            RetrievalCommands.Create(console),
            SearchCommand.Create(console),
            BenchCommands.Create(console),
            LeaderboardCommands.Submit(console),
            LeaderboardCommands.Leaderboard(console),
            LeaderboardCommands.Final(console),
            ModelUploadCommand.Create(console),
            AdminCommands.Create(console),
            TokenizerCommands.Create(console),
            TokenizerCommands.Tokenize(console),
            TrainCommands.Create(console),
            TuneCommands.Create(console),
            SweepCommand.Create(console),
            RunsCommands.Create(console),
            ReaderCommands.Predict(console),
            DatasetCommands.Create(console),
        };
        return root;
    }

    /// <summary>Runs the command line with the given writers; what tests and Program.cs call.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error) =>
        Build(output, error).Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
}

/// <summary>Where commands write: results to Out (machine-readable last line), diagnostics to Error.</summary>
public sealed record CliConsole(TextWriter Out, TextWriter Error);
