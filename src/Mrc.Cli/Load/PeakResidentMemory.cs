namespace Mrc.Cli.Load;

/// <summary>
/// This process's peak resident set (VmHWM in /proc/self/status, Linux). The kernel resets the
/// peak to the current resident set when "5" is written to /proc/self/clear_refs (Linux 4.0 on), so
/// the peak of one stage of a run, such as building one index, can be read on its own.
/// </summary>
internal static class PeakResidentMemory
{
    /// <summary>Starts a new peak at the current resident set; false where the system does not allow it.</summary>
    public static bool Reset()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The peak in MB (1 MB = 1,048,576 bytes) since the process began or the last <see cref="Reset"/>, or null without /proc.</summary>
    public static double? ReadMb() => ProcStatus.ReadMb("self", "VmHWM");
}
