using TorchSharp;
using static TorchSharp.torch;

namespace Mrc.Training;

/// <summary>Where training runs: CUDA when the libtorch backend has a usable device, else the CPU.</summary>
public static class TrainingDevice
{
    /// <param name="requested">"auto" (default), "cpu", "cuda" or "cuda:N".</param>
    public static Device Resolve(string? requested)
    {
        string wanted = string.IsNullOrWhiteSpace(requested) ? "auto" : requested.Trim().ToLowerInvariant();
        if (wanted == "auto") return cuda.is_available() ? CUDA : CPU;
        if (wanted.StartsWith("cuda", StringComparison.Ordinal) && !cuda.is_available())
            throw new ArgumentException($"device '{requested}' was asked for, but no CUDA device is available to this libtorch build (build with -p:TorchBackend=cuda).");
        return new Device(wanted);
    }
}
