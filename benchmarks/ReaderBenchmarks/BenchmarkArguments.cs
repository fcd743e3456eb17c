using System.Globalization;

namespace Mrc.Reader.Benchmarks;

/// <summary>The benchmark's command line: a mode word and --name value pairs.</summary>
internal sealed class BenchmarkArguments(string[] args)
{
    public string? Mode => args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal) && !IsValue(a));

    public int Int(string name, int fallback) => Value(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public double Double(string name, double fallback) => Value(name) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public string String(string name, string fallback) => Value(name) ?? fallback;

    public IReadOnlyList<string> List(string name, string fallback) =>
        String(name, fallback).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    string? Value(string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    bool IsValue(string arg)
    {
        var i = Array.IndexOf(args, arg);
        return i > 0 && args[i - 1].StartsWith("--", StringComparison.Ordinal);
    }
}
