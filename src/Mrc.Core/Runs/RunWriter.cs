using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Mrc.Core.Runs;

/// <summary>
/// Writes one run as it goes: each metric is appended to <c>metrics.jsonl</c> as one complete line
/// and flushed, so a reader sees every line the process wrote before it died; <c>run.json</c> is
/// replaced whole (written beside, then renamed) with each heartbeat and at the end, so it is never
/// half-written.
/// </summary>
public sealed class RunWriter : IDisposable
{
    readonly FileStream metrics;
    RunRecord record;

    internal RunWriter(string folder, RunRecord record)
    {
        Folder = folder;
        this.record = record;
        WriteRecord();
        metrics = new FileStream(Path.Combine(folder, RunStore.MetricsFile), FileMode.Append, FileAccess.Write, FileShare.Read | FileShare.Delete);
    }

    public string Folder { get; }
    public string Id => record.Id;
    public RunRecord Record => record;

    public void LogStep(int step, double loss, double learningRate, double examplesPerSecond) =>
        Append(new RunMetric
        {
            Step = step,
            Time = DateTimeOffset.UtcNow,
            Loss = Finite(loss),
            LearningRate = Finite(learningRate),
            ExamplesPerSecond = Finite(examplesPerSecond),
        });

    public void LogEvaluation(int step, double exactMatch, double f1) =>
        Append(new RunMetric { Step = step, Time = DateTimeOffset.UtcNow, ExactMatch = exactMatch, F1 = f1 });

    /// <summary>Records how the run ended (finished, failed with a reason, or interrupted) and closes it.</summary>
    public void End(string status, string? error = null)
    {
        if (record.EndedUtc is not null) return;
        if (status == RunStatuses.Running || !RunStatuses.All.Contains(status)) throw new ArgumentException($"a run cannot end as '{status}'");
        var now = DateTimeOffset.UtcNow;
        record = record with { Status = status, EndedUtc = now, HeartbeatUtc = now, CpuSeconds = CpuSeconds(), Error = error };
        WriteRecord();
        metrics.Flush(flushToDisk: true);
    }

    /// <summary>Ends a run nobody ended as interrupted (an exception left the training loop unseen).</summary>
    public void Dispose()
    {
        if (record.EndedUtc is null) End(RunStatuses.Interrupted);
        metrics.Dispose();
    }

    void Append(RunMetric metric)
    {
        if (record.EndedUtc is not null) throw new InvalidOperationException($"run {record.Id} has ended");
        var line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(metric, RunStore.JsonLine) + "\n");
        metrics.Write(line);
        metrics.Flush();
        record = record with { HeartbeatUtc = metric.Time, CpuSeconds = CpuSeconds() };
        WriteRecord();
    }

    void WriteRecord()
    {
        string path = Path.Combine(Folder, RunStore.RecordFile);
        string temp = path + ".tmp";
        File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(record, RunStore.Json));
        File.Move(temp, path, overwrite: true);
    }

    static double CpuSeconds()
    {
        using var self = Process.GetCurrentProcess();
        return Math.Round(self.TotalProcessorTime.TotalSeconds, 1);
    }

    // NaN (no loss yet) has no JSON form; the line leaves the value out instead.
    static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
