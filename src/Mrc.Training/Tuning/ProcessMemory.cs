using System.Runtime.InteropServices;

namespace Mrc.Training.Tuning;

/// <summary>
/// This process's resident memory, the CPU budget the batch-size finder checks. libtorch frees CPU
/// tensors to glibc's malloc, which may keep the pages; <see cref="Release"/> hands them back to the
/// system, so a smaller batch tried after a larger one is not charged for the larger one's memory.
/// </summary>
public static class ProcessMemory
{
    public static long ResidentBytes()
    {
        // /proc/self/statm: sizes in pages; the second field is the resident set.
        if (File.Exists("/proc/self/statm"))
        {
            var fields = File.ReadAllText("/proc/self/statm").Split(' ');
            return long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) * Environment.SystemPageSize;
        }
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    public static void Release()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            _ = MallocTrim(0);
        }
        catch (EntryPointNotFoundException)
        {
            // Not glibc (e.g. musl): freed memory may stay counted; the search still bisects correctly
            // on the larger figures, only more conservatively.
        }
        catch (DllNotFoundException)
        {
        }
    }

    // A plain DllImport: LibraryImport's generated code would need unsafe blocks for one call without marshalling.
#pragma warning disable SYSLIB1054
    [DllImport("libc", EntryPoint = "malloc_trim")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int MallocTrim(nuint pad);
#pragma warning restore SYSLIB1054
}
