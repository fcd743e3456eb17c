namespace Mrc.Reading.Devices;

/// <summary>
/// What the processor computes natively in reduced precision, read from <c>/proc/cpuinfo</c> (Linux,
/// the platform the libtorch backends here are built for). Without native support libtorch emulates
/// bf16/fp16 and runs slower than fp32, so the reader only uses them where the CPU has them.
/// </summary>
public static class CpuFeatures
{
    static readonly Lazy<HashSet<string>> Flags = new(ReadFlags);

    /// <summary>AVX512-BF16 or AMX-BF16 (x86-64), or the BF16 extension (Arm).</summary>
    public static bool HasBf16 => Flags.Value.Overlaps(["avx512_bf16", "amx_bf16", "bf16"]);

    /// <summary>AVX512-FP16 or AMX-FP16 (x86-64), or half-precision arithmetic (Arm).</summary>
    public static bool HasFp16 => Flags.Value.Overlaps(["avx512_fp16", "amx_fp16", "fphp"]);

    static HashSet<string> ReadFlags()
    {
        try
        {
            // "flags : fpu vme ..." on x86-64, "Features : fp asimd ..." on Arm; every core lists the same.
            var line = File.ReadLines("/proc/cpuinfo")
                .FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal) || l.StartsWith("Features", StringComparison.Ordinal));
            return line is null ? [] : [.. line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
