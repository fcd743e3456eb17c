using TorchSharp;
using static TorchSharp.torch;

namespace Mrc.Reading.Devices;

/// <summary>A device that was asked for and is not there (CUDA with the CPU libtorch backend, or without a GPU).</summary>
public sealed class DeviceUnavailableException(string message) : ArgumentException(message);

/// <summary>
/// The one place a device setting ("auto", "cpu", "cuda", "cuda:N") and a precision ("fp32", "fp16",
/// "bf16") become a libtorch device and element type, for reading and for training alike.
/// </summary>
public static class DeviceChoice
{
    /// <summary>The settings the reader and the trainer accept.</summary>
    public static bool IsValidSetting(string? setting) =>
        setting is "auto" or "cpu" or "cuda" || (setting?.StartsWith("cuda:", StringComparison.Ordinal) == true
                                                && int.TryParse(setting.AsSpan(5), out var index) && index >= 0);

    /// <summary>"auto" (or empty) → CUDA when libtorch sees a GPU, else the CPU; "cuda[:N]" fails when there is none.</summary>
    public static Device Resolve(string? setting)
    {
        var wanted = string.IsNullOrWhiteSpace(setting) ? "auto" : setting.Trim().ToLowerInvariant();
        if (wanted == "cpu") return CPU;
        var cudaAvailable = cuda.is_available();
        if (wanted == "auto") return cudaAvailable ? CUDA : CPU;
        if (!IsValidSetting(wanted))
            throw new DeviceUnavailableException($"device '{setting}' is not auto, cpu, cuda or cuda:N.");
        if (!cudaAvailable)
            throw new DeviceUnavailableException(
                $"device '{setting}' was asked for, but no CUDA device is available to this libtorch build (build with -p:TorchBackend=cuda on a machine with a GPU).");
        return new Device(wanted);
    }

    /// <summary>The precision settings the reader accepts.</summary>
    public static bool IsValidPrecision(string? precision) => precision is "fp32" or "bf16" or "fp16";

    /// <summary>
    /// The element type the weights and activations run in for <paramref name="precision"/> on
    /// <paramref name="device"/>: bf16/fp16 on CUDA, and on the CPU where it computes them natively
    /// (<see cref="CpuFeatures"/>); otherwise fp32, with <c>Fallback</c> saying why.
    /// </summary>
    public static (ScalarType Type, string? Fallback) ElementType(Device device, string precision)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (!IsValidPrecision(precision)) throw new ArgumentException($"precision '{precision}' is not fp32, bf16 or fp16.", nameof(precision));
        if (precision == "fp32") return (ScalarType.Float32, null);
        var wanted = precision == "bf16" ? ScalarType.BFloat16 : ScalarType.Float16;
        if (device.type == DeviceType.CUDA) return (wanted, null);
        var native = precision == "bf16" ? CpuFeatures.HasBf16 : CpuFeatures.HasFp16;
        return native
            ? (wanted, null)
            : (ScalarType.Float32, $"this CPU has no native {precision} arithmetic (libtorch would emulate it, slower than fp32): running fp32.");
    }
}
