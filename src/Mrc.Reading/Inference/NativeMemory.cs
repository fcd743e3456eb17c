using System.Runtime.InteropServices;

namespace Mrc.Reading.Inference;

/// <summary>
/// Bounds what libtorch's CPU kernels keep per tensor shape. oneDNN caches a compiled primitive, with
/// its buffers, for every shape it meets (1,024 by default); a reader sees a new shape for almost every
/// batch (1–32 windows of any length), so resident memory grew with every new shape and never came
/// back: 593 → 1,006 MB over 400 batches of random shapes, against 489–525 MB with a cache of 16, at the
/// same speed (docs/reliability.md). oneDNN reads the capacity when it makes the cache, so it is set
/// before the first forward pass, through the C library (.NET's own environment setter is not seen by
/// native code on Linux); a value set outside the process wins.
/// </summary>
public static partial class NativeMemory
{
    public const string PrimitiveCacheVariable = "ONEDNN_PRIMITIVE_CACHE_CAPACITY";
    public const int PrimitiveCacheCapacity = 16;

    static int applied;

    public static void BoundPrimitiveCache()
    {
        if (Interlocked.Exchange(ref applied, 1) == 1 || !OperatingSystem.IsLinux()) return;
        _ = SetEnv(PrimitiveCacheVariable, PrimitiveCacheCapacity.ToString(System.Globalization.CultureInfo.InvariantCulture), overwrite: 0);
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
