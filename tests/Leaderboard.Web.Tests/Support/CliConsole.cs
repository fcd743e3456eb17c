namespace Mrc.Cli;

/// <summary>The same shape as the CLI's CliConsole (MrcCommandLine.cs): results to Out, diagnostics to Error.</summary>
internal sealed record CliConsole(TextWriter Out, TextWriter Error);
