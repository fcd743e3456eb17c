using System.Text.Json.Serialization;

namespace Mrc.Core.Runs;

/// <summary>What a run is: <c>reader</c> (QA fine-tuning), <c>mlm</c> (masked-LM) or one trial of a sweep.</summary>
public static class RunKinds
{
    public const string Reader = "reader";
    public const string Mlm = "mlm";
    public const string SweepTrial = "sweep-trial";

    public static readonly IReadOnlyList<string> All = [Reader, Mlm, SweepTrial];
}

/// <summary>Where a run stands. A run whose process died without saying so reads as <see cref="Interrupted"/>.</summary>
public static class RunStatuses
{
    public const string Running = "running";
    public const string Finished = "finished";
    public const string Failed = "failed";
    public const string Interrupted = "interrupted";

    public static readonly IReadOnlyList<string> All = [Running, Finished, Failed, Interrupted];
}

/// <summary>
/// <c>run.json</c> of a run folder: who it is, how it was configured, where its model went and how it
/// ended. Rewritten whole (write beside, then rename) at the start, at each heartbeat and at the end.
/// </summary>
public sealed record RunRecord
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("name")] public string Name { get; init; } = "";
    [JsonPropertyName("kind")] public required string Kind { get; init; }
    [JsonPropertyName("status")] public string Status { get; init; } = RunStatuses.Running;
    [JsonPropertyName("started_utc")] public DateTimeOffset StartedUtc { get; init; }
    [JsonPropertyName("ended_utc")] public DateTimeOffset? EndedUtc { get; init; }
    /// <summary>Last time the run wrote anything; how long a run on another machine has been silent.</summary>
    [JsonPropertyName("heartbeat_utc")] public DateTimeOffset HeartbeatUtc { get; init; }
    /// <summary>The run's settings as text, e.g. <c>learning_rate: 0.0003</c>, sorted by key.</summary>
    [JsonPropertyName("config")] public IReadOnlyDictionary<string, string> Config { get; init; } = new SortedDictionary<string, string>();
    /// <summary>The trained model's folder as given (e.g. <c>models/ko-reader-small/2</c>).</summary>
    [JsonPropertyName("output")] public string? Output { get; init; }
    [JsonPropertyName("tags")] public IReadOnlyList<string> Tags { get; init; } = [];
    /// <summary>Processor time of the training process (all threads) when the run ended or last beat.</summary>
    [JsonPropertyName("cpu_seconds")] public double CpuSeconds { get; init; }
    [JsonPropertyName("host")] public string Host { get; init; } = "";
    [JsonPropertyName("process_id")] public int ProcessId { get; init; }
    /// <summary>Why a failed run failed.</summary>
    [JsonPropertyName("error")] public string? Error { get; init; }

    /// <summary>
    /// The model name and version the output folder is in a model repository as
    /// (<c>.../NAME/VERSION</c>), which is how the leaderboard finds the run that trained a version.
    /// </summary>
    [JsonIgnore]
    public (string Name, string Version)? ModelVersion
    {
        get
        {
            if (string.IsNullOrWhiteSpace(Output)) return null;
            var parts = Output.Replace('\\', '/').TrimEnd('/').Split('/');
            return parts.Length >= 2 && parts[^1].Length > 0 && parts[^2].Length > 0 ? (parts[^2], parts[^1]) : null;
        }
    }
}

/// <summary>
/// One line of <c>metrics.jsonl</c>: a training step (loss, learning rate, examples per second) or an
/// evaluation (EM, F1 on the validation set), both at an optimizer step.
/// </summary>
public sealed record RunMetric
{
    [JsonPropertyName("step")] public int Step { get; init; }
    [JsonPropertyName("time")] public DateTimeOffset Time { get; init; }
    [JsonPropertyName("loss"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Loss { get; init; }
    [JsonPropertyName("learning_rate"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? LearningRate { get; init; }
    [JsonPropertyName("examples_per_second"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? ExamplesPerSecond { get; init; }
    [JsonPropertyName("em"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? ExactMatch { get; init; }
    [JsonPropertyName("f1"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? F1 { get; init; }

    [JsonIgnore] public bool IsEvaluation => F1 is not null;
}
