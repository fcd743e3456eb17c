using Mrc.Core.Data;

namespace Mrc.Training.Configuration;

/// <summary>Where a configuration value came from: a line of a config file, or the command line.</summary>
public sealed record ConfigSource(string Origin, long? Line = null, long? Column = null)
{
    public static ConfigSource CommandLine(string setting) => new($"command line ({setting})");

    /// <summary>An input error at this place; `mrc` prints it as one line and exits 2.</summary>
    public DataFormatException Error(string problem) => new(Origin, Line, Column, problem);
}

/// <summary>
/// A checked value: a string, long, double, bool, the list of paths of a <see cref="KeyType.FileList"/>,
/// or null (only <c>validation</c> may be null: no validation file).
/// </summary>
public sealed record ConfigValue(object? Value, ConfigSource Source);
