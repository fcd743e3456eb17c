using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Mrc.Core.Runs;

/// <summary>
/// A folder of runs, one sub-folder per run: <c>run.json</c> (<see cref="RunRecord"/>),
/// <c>metrics.jsonl</c> (<see cref="RunMetric"/> lines) and TensorBoard event files. Training writes
/// runs through <see cref="Start"/>; the CLI and the leaderboard read them. Reading never changes a
/// file, and tolerates runs that are still being written (a partial last line is skipped).
/// </summary>
public sealed partial class RunStore(string root)
{
    /// <summary>The store training writes to and <c>mrc runs</c> reads when none is given, relative to the current folder.</summary>
    public const string DefaultRoot = ".local/runs";

    public const string RecordFile = "run.json";
    public const string MetricsFile = "metrics.jsonl";

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    internal static readonly JsonSerializerOptions JsonLine = new() { Encoder = Json.Encoder };

    public string Root { get; } = root;

    /// <summary>Run ids are folder names: letters, digits, '.', '_' and '-', so an id can never leave the store.</summary>
    public static bool IsValidId(string id) => id.Length is > 0 and <= 128 && id != "." && id != ".." && IdPattern().IsMatch(id);

    /// <summary>Creates the run's folder and <c>run.json</c> (status running) and returns its writer.</summary>
    public RunWriter Start(string kind, string name, IReadOnlyDictionary<string, string> config, string? output, IReadOnlyList<string> tags)
    {
        if (!RunKinds.All.Contains(kind)) throw new ArgumentException($"run kind must be one of {string.Join(", ", RunKinds.All)}, not '{kind}'");
        var now = DateTimeOffset.UtcNow;
        string id = $"{now:yyyyMMdd-HHmmss}-{kind}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
        string folder = Path.Combine(Root, id);
        Directory.CreateDirectory(folder);
        using var self = Process.GetCurrentProcess();
        var record = new RunRecord
        {
            Id = id,
            Name = string.IsNullOrWhiteSpace(name) ? id : name.Trim(),
            Kind = kind,
            StartedUtc = now,
            HeartbeatUtc = now,
            Config = new SortedDictionary<string, string>(config.ToDictionary(), StringComparer.Ordinal),
            Output = output,
            Tags = tags.Select(t => t.Trim()).Where(t => t.Length > 0).Distinct(StringComparer.Ordinal).ToList(),
            Host = Environment.MachineName,
            ProcessId = self.Id,
        };
        return new RunWriter(folder, record);
    }

    /// <summary>Every readable run, newest first, with <see cref="EffectiveStatus"/> applied.</summary>
    public IReadOnlyList<RunRecord> List()
    {
        if (!Directory.Exists(Root)) return [];
        var runs = new List<RunRecord>();
        foreach (var folder in Directory.EnumerateDirectories(Root))
            if (TryRead(folder) is { } run) runs.Add(run);
        return runs.OrderByDescending(r => r.StartedUtc).ThenBy(r => r.Id, StringComparer.Ordinal).ToList();
    }

    /// <summary>The run with this id, or null when there is none (or the id is not a run id).</summary>
    public RunRecord? Find(string id) => IsValidId(id) ? TryRead(Path.Combine(Root, id)) : null;

    /// <summary>
    /// The metric lines of a run in the order written. A line that does not parse (the last one while
    /// the run is writing it, or after a crash) is skipped.
    /// </summary>
    public IReadOnlyList<RunMetric> ReadMetrics(string id)
    {
        if (!IsValidId(id)) return [];
        string path = Path.Combine(Root, id, MetricsFile);
        if (!File.Exists(path)) return [];
        string text;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        using (var reader = new StreamReader(stream, Encoding.UTF8))
            text = reader.ReadToEnd();
        var metrics = new List<RunMetric>();
        var lines = text.Split('\n');
        // Every complete line ends with '\n'; what follows the last one is still being written.
        for (int i = 0; i < lines.Length - 1; i++)
        {
            if (lines[i].Length == 0) continue;
            try
            {
                if (JsonSerializer.Deserialize<RunMetric>(lines[i], JsonLine) is { } metric) metrics.Add(metric);
            }
            catch (JsonException)
            {
            }
        }
        return metrics;
    }

    static RunRecord? TryRead(string folder)
    {
        string path = Path.Combine(folder, RecordFile);
        if (!File.Exists(path)) return null;
        try
        {
            var record = JsonSerializer.Deserialize<RunRecord>(File.ReadAllBytes(path), Json);
            return record is null || !IsValidId(record.Id) ? null : record with { Status = EffectiveStatus(record) };
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// A run that says "running" but whose process on this machine is gone (or is another process
    /// that reuses its id) was interrupted: killed, or the machine went down. A run of another machine
    /// keeps "running"; its heartbeat tells how long it has been silent.
    /// </summary>
    public static string EffectiveStatus(RunRecord record)
    {
        if (record.Status != RunStatuses.Running || record.Host != Environment.MachineName) return record.Status;
        try
        {
            using var process = Process.GetProcessById(record.ProcessId);
            // Process start times are read from the OS at a coarse resolution; a minute of slack is plenty.
            return process.StartTime.ToUniversalTime() > record.StartedUtc.UtcDateTime.AddMinutes(1) ? RunStatuses.Interrupted : RunStatuses.Running;
        }
        catch (ArgumentException)
        {
            return RunStatuses.Interrupted; // no such process
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return RunStatuses.Running; // alive but not inspectable: say what the run said
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex IdPattern();
}
