namespace Mrc.Core.Data;

/// <summary>
/// A data file that cannot be read as the expected format. The message names the file, the
/// position (line and column, 1-based, where known) and what was expected there.
/// </summary>
public sealed class DataFormatException : Exception
{
    public DataFormatException(string file, long? line, long? column, string problem, Exception? inner = null)
        : base(Format(file, line, column, problem), inner)
    {
        File = file;
        Line = line;
        Column = column;
        Problem = problem;
    }

    public string File { get; }
    public long? Line { get; }
    public long? Column { get; }
    public string Problem { get; }

    static string Format(string file, long? line, long? column, string problem)
    {
        var where = line is null ? file : column is null ? $"{file}:{line}" : $"{file}:{line}:{column}";
        return $"{where}: {problem}";
    }
}
