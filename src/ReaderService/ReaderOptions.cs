using System.ComponentModel.DataAnnotations;
using Mrc.Core.Pipeline;
using Mrc.Reading.Devices;
using Mrc.Reading.Inference;
using Mrc.Reading.Models;
using Mrc.Reading.Uploads;

namespace Mrc.Reader;

/// <summary>The "Reader" configuration section.</summary>
public sealed class ReaderOptions : IValidatableObject
{
    public const string SectionName = "Reader";

    /// <summary>Folder holding <c>&lt;name&gt;/&lt;version&gt;/</c> model folders.</summary>
    public string ModelRepository { get; set; } = "models";

    /// <summary>Model used when a request names none; empty means the first model by name.</summary>
    public string DefaultModel { get; set; } = "";

    /// <summary>"auto" (CUDA when available), "cpu", "cuda" or "cuda:N".</summary>
    public string Device { get; set; } = "auto";

    /// <summary>
    /// "fp32", "bf16" or "fp16": weights and activations in that type, logits as fp32. Reduced precision
    /// runs on CUDA, and on a CPU that computes it natively (bf16: AVX512-BF16/AMX); elsewhere the reader
    /// warns at load and runs fp32.
    /// </summary>
    public string Precision { get; set; } = "fp32";

    /// <summary>libtorch intra-op threads; 0 leaves libtorch's default.</summary>
    public int Threads { get; set; }

    /// <summary>Model versions kept in memory; the least recently used is unloaded past this.</summary>
    public int MaxLoadedModels { get; set; } = 2;

    public int MaxPassages { get; set; } = 50;

    /// <summary>Limit on the characters of all passages of one request together.</summary>
    public int MaxTotalCharacters { get; set; } = 200_000;

    public int MaxQuestionCharacters { get; set; } = 1_000;

    public int MaxSeqLength { get; set; } = 384;

    public int DocStride { get; set; } = 128;

    public int MaxQueryLength { get; set; } = 64;

    public int DefaultNBest { get; set; } = 5;

    public int DefaultMaxAnswerLength { get; set; } = 30;

    public BatchingOptions Batching { get; set; } = new();

    /// <summary>Teams' own model folders, uploaded through the leaderboard (mrc.v1.ModelUploads).</summary>
    public UploadOptions Uploads { get; set; } = new();

    public WindowSettings Windows => new(MaxSeqLength, DocStride, MaxQueryLength);

    /// <summary>What the model manager of the service is given.</summary>
    public ModelManagerSettings ToManagerSettings() => new(
        ModelRepository, DefaultModel, Device, Precision, Threads, MaxLoadedModels,
        Batching.Enabled ? Batching.ToSettings() : null, Windows, Batching.MaxBatchWindows);

    /// <summary>Every problem of the section at start-up (empty when valid).</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(ModelRepository)) yield return new("Reader:ModelRepository is required.");
        if (!DeviceChoice.IsValidSetting(Device)) yield return new($"Reader:Device '{Device}' is not auto, cpu, cuda or cuda:N.");
        if (!DeviceChoice.IsValidPrecision(Precision)) yield return new($"Reader:Precision '{Precision}' is not fp32, fp16 or bf16.");
        if (Threads < 0) yield return new("Reader:Threads must be ≥ 0.");
        if (MaxLoadedModels < 1) yield return new("Reader:MaxLoadedModels must be ≥ 1.");
        if (MaxPassages < 1 || MaxTotalCharacters < 1 || MaxQuestionCharacters < 1) yield return new("Reader limits must be ≥ 1.");
        if (MaxSeqLength < 16 || MaxSeqLength > 4096) yield return new("Reader:MaxSeqLength must be in 16..4096.");
        if (MaxQueryLength < 1 || MaxSeqLength - MaxQueryLength - 3 <= DocStride || DocStride < 0)
            yield return new("Reader: MaxSeqLength − MaxQueryLength − 3 must exceed DocStride ≥ 0.");
        if (DefaultNBest is < 1 or > ReadSettings.MaxNBest) yield return new($"Reader:DefaultNBest must be in 1..{ReadSettings.MaxNBest}.");
        if (DefaultMaxAnswerLength < 1) yield return new("Reader:DefaultMaxAnswerLength must be ≥ 1.");
        if (Batching.MaxBatchWindows < 1 || Batching.MaxQueueWindows < 1 || Batching.MaxQueueDelayMs < 0 || Batching.LengthBucketWidth < 0)
            yield return new("Reader:Batching values must be positive.");
        foreach (var problem in Uploads.Problems()) yield return new(problem);
    }
}

/// <summary>The "Reader:Batching" section: dynamic batching of windows across requests.</summary>
public sealed class BatchingOptions
{
    public bool Enabled { get; set; } = true;
    public int MaxBatchWindows { get; set; } = 32;
    public int MaxQueueDelayMs { get; set; } = 5;
    public int MaxQueueWindows { get; set; } = 4096;
    public int LengthBucketWidth { get; set; } = 64;

    public BatchingSettings ToSettings() =>
        new(MaxBatchWindows, TimeSpan.FromMilliseconds(MaxQueueDelayMs), MaxQueueWindows, LengthBucketWidth);
}

/// <summary>
/// The "Reader:Uploads" section: the internal model-upload API the leaderboard calls. Off while
/// <see cref="Secret"/> is empty.
/// </summary>
public sealed class UploadOptions
{
    /// <summary>Shared with the leaderboard (its Evaluation:ReaderUploadSecret); callers send it as a bearer token.</summary>
    public string Secret { get; set; } = "";

    /// <summary>Largest model folder, all files together (default 2 GiB).</summary>
    public long MaxBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    public int MaxFiles { get; set; } = 64;

    /// <summary>Uploads begun and not yet committed, aborted or expired; bounds the disk the staging area can take.</summary>
    public int MaxOpenUploads { get; set; } = 4;

    /// <summary>Hours an upload not committed is kept before its files are deleted.</summary>
    public double ExpiryHours { get; set; } = 24;

    public bool Enabled => Secret.Length > 0;

    public ModelUploadLimits ToLimits() => new(MaxBytes, MaxFiles, MaxOpenUploads, TimeSpan.FromHours(ExpiryHours));

    internal IEnumerable<string> Problems()
    {
        if (Secret.Length is > 0 and < 16) yield return "Reader:Uploads:Secret must have 16 or more characters (or be empty: uploads off).";
        if (MaxBytes < 1 || MaxFiles < 1 || MaxOpenUploads < 1) yield return "Reader:Uploads:MaxBytes, MaxFiles and MaxOpenUploads must be ≥ 1.";
        if (!(ExpiryHours > 0)) yield return "Reader:Uploads:ExpiryHours must be > 0.";
    }
}
