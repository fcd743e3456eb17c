using System.Globalization;
using System.Reflection;
using Mrc.Core.Runs;

namespace Mrc.Training.Tracking;

/// <summary>
/// A training run recorded in a <see cref="RunStore"/>: <c>run.json</c>, <c>metrics.jsonl</c> and a
/// TensorBoard event file in the run's folder (point TensorBoard at the store's root to see every run).
/// </summary>
public sealed class TrackedRun : IRunTracker, IDisposable
{
    readonly RunWriter writer;
    readonly TensorBoardEventWriter events;

    TrackedRun(RunWriter writer)
    {
        this.writer = writer;
        events = new TensorBoardEventWriter(writer.Folder);
    }

    public string RunId => writer.Id;
    public string Folder => writer.Folder;

    /// <param name="options">The trainer's options; every public property of a simple type becomes a config entry.</param>
    public static TrackedRun Start(RunStore store, string kind, string name, object options, string? output, IReadOnlyList<string> tags) =>
        Start(store, kind, name, ConfigOf(options), output, tags);

    /// <param name="config">The run's settings as <c>snake_case: text</c> pairs.</param>
    public static TrackedRun Start(RunStore store, string kind, string name, IReadOnlyDictionary<string, string> config, string? output, IReadOnlyList<string> tags)
    {
        var writer = store.Start(kind, name, config, output, tags);
        try
        {
            return new TrackedRun(writer);
        }
        catch (Exception e)
        {
            writer.End(RunStatuses.Failed, e.Message);
            writer.Dispose();
            throw;
        }
    }

    public void LogStep(int optimizerStep, double loss, double learningRate, double examplesPerSecond)
    {
        writer.LogStep(optimizerStep, loss, learningRate, examplesPerSecond);
        events.AddScalar("train/loss", loss, optimizerStep);
        events.AddScalar("train/learning_rate", learningRate, optimizerStep);
        events.AddScalar("train/examples_per_second", examplesPerSecond, optimizerStep);
    }

    public void LogEvaluation(int optimizerStep, double exactMatch, double f1)
    {
        writer.LogEvaluation(optimizerStep, exactMatch, f1);
        events.AddScalar("eval/em", exactMatch, optimizerStep);
        events.AddScalar("eval/f1", f1, optimizerStep);
    }

    /// <summary>Trains with this run as the tracker and ends the run finished, failed (with the error) or interrupted (cancelled).</summary>
    public T Record<T>(Func<IRunTracker, T> train)
    {
        try
        {
            var result = train(this);
            Finish();
            return result;
        }
        catch (Exception e)
        {
            Fail(e);
            throw;
        }
    }

    public void Finish() => writer.End(RunStatuses.Finished);

    public void Fail(Exception error) =>
        writer.End(error is OperationCanceledException ? RunStatuses.Interrupted : RunStatuses.Failed,
            error is OperationCanceledException ? null : error.Message);

    public void Dispose()
    {
        writer.Dispose();
        events.Dispose();
    }

    /// <summary>
    /// The options as <c>snake_case: text</c> pairs (numbers in invariant culture, lists joined by
    /// spaces); nulls and the command line itself are left out.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ConfigOf(object options)
    {
        var config = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in options.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.Name == "CommandLine" || property.GetIndexParameters().Length > 0) continue;
            var text = Text(property.GetValue(options));
            if (text is not null) config[SnakeCase(property.Name)] = text;
        }
        return config;
    }

    static string? Text(object? value) => value switch
    {
        null => null,
        string s => s,
        bool b => b ? "true" : "false",
        IFormattable f when value.GetType().IsPrimitive || value is decimal => f.ToString(null, CultureInfo.InvariantCulture),
        Enum e => e.ToString(),
        IEnumerable<string> list => string.Join(' ', list),
        _ => null,
    };

    static string SnakeCase(string name) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(name);
}
