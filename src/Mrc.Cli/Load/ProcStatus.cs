using System.Globalization;

namespace Mrc.Cli.Load;

/// <summary>One memory figure of a process from /proc/PID/status (Linux), such as VmRSS, VmHWM or RssAnon.</summary>
internal static class ProcStatus
{
    /// <summary>
    /// The figure <paramref name="key"/> of <paramref name="process"/> ("self" or a process id) in MB
    /// (1 MB = 1,048,576 bytes), or null when the process cannot be read (gone, another user's, no /proc).
    /// </summary>
    public static double? ReadMb(string process, string key)
    {
        string prefix = key + ":";
        try
        {
            foreach (var line in File.ReadLines($"/proc/{process}/status"))
            {
                if (!line.StartsWith(prefix, StringComparison.Ordinal)) continue;
                var kilobytes = line[prefix.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                return double.Parse(kilobytes, CultureInfo.InvariantCulture) / 1024;
            }
            return null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
