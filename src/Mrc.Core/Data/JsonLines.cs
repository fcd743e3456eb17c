using System.Text;

namespace Mrc.Core.Data;

/// <summary>Splits a JSON Lines file into its non-blank lines, keeping 1-based line numbers for errors.</summary>
internal static class JsonLines
{
    public static IEnumerable<(long Line, ReadOnlyMemory<byte> Utf8)> Read(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        long number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            yield return (number, Encoding.UTF8.GetBytes(line));
        }
    }
}
