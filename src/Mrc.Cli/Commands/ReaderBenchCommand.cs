using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Mrc.Reading.Benchmarking;
using Mrc.Reading.Devices;
using Mrc.Reading.Modeling;
using Mrc.Reading.Models;
using TorchSharp;

namespace Mrc.Cli.Commands;

/// <summary>
/// `mrc bench reader`: windows per second of a reader model (a model folder, or a named shape with
/// random weights) at each batch size, on the chosen device, precision and thread count.
/// </summary>
internal static class ReaderBenchCommand
{
    public static Command Create(CliConsole console)
    {
        var model = new Option<DirectoryInfo>("--model") { Description = "Model version folder to measure." };
        var shape = new Option<string>("--shape") { Description = "Measure a model of this shape with random weights: minilm (all-MiniLM-L6-v2) or base (BERT-base)." };
        shape.AcceptOnlyFromAmong("minilm", "base");
        var seq = new Option<int>("--seq") { Description = "Tokens per window.", DefaultValueFactory = _ => 384 };
        var batches = new Option<string>("--batch") { Description = "Batch sizes, comma-separated.", DefaultValueFactory = _ => "1,8,32" };
        var threads = new Option<int>("--threads") { Description = "libtorch intra-op threads (0 = libtorch default)." };
        var precision = new Option<string>("--precision") { Description = "fp32, bf16 or fp16.", DefaultValueFactory = _ => "fp32" };
        precision.AcceptOnlyFromAmong("fp32", "bf16", "fp16");
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda or cuda:N.", DefaultValueFactory = _ => "auto" };
        var seconds = new Option<double>("--seconds") { Description = "Time measured per batch size (after one warm-up pass).", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };

        var command = new Command("reader", "Reader throughput: windows per second at each batch size.")
        {
            model, shape, seq, batches, threads, precision, device, seconds, json,
        };
        command.SetAction((parse, _) => CommandErrors.Guard(console, async () =>
        {
            var folder = parse.GetValue(model);
            var shapeName = parse.GetValue(shape);
            if ((folder is null) == (shapeName is null)) throw new ArgumentException("pass either --model DIR or --shape minilm|base.");
            var length = parse.GetValue(seq);
            if (length is < 8 or > 4096) throw new ArgumentException("--seq must be in 8..4096.");
            var sizes = ParseBatches(parse.GetValue(batches)!);
            var duration = parse.GetValue(seconds);
            if (!(duration > 0)) throw new ArgumentException("--seconds must be positive.");
            if (parse.GetValue(threads) is var t and > 0) torch.set_num_threads(t);
            var wanted = parse.GetValue(precision)!;

            var target = DeviceChoice.Resolve(parse.GetValue(device));
            LocalReader? local = null;
            QuestionAnsweringModel qa;
            string? fallback;
            TorchSharp.torch.ScalarType elementType;
            if (folder is not null)
            {
                if (!folder.Exists) throw new DirectoryNotFoundException($"model folder {folder.FullName} not found.");
                local = ReaderFactory.Load(folder.FullName, parse.GetValue(device)!, wanted);
                (qa, elementType, fallback) = (local.Executor.Model, local.ElementType, local.PrecisionFallback);
            }
            else
            {
                (elementType, fallback) = DeviceChoice.ElementType(target, wanted);
                qa = new QuestionAnsweringModel(ReaderThroughput.Shape(shapeName!));
                qa.to(target).to(elementType);
            }
            if (fallback is not null) await console.Error.WriteLineAsync($"warning: --precision {wanted}: {fallback}");

            try
            {
                var results = new List<ThroughputResult>();
                foreach (var batch in sizes)
                {
                    var result = ReaderThroughput.Measure(qa, target, batch, length, TimeSpan.FromSeconds(duration));
                    results.Add(result);
                    await console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"batch {batch}: {result.WindowsPerSecond:F2} windows/s ({result.Iterations} passes in {result.Seconds:F1} s)"));
                }
                var precisionRun = elementType switch
                {
                    TorchSharp.torch.ScalarType.BFloat16 => "bf16",
                    TorchSharp.torch.ScalarType.Float16 => "fp16",
                    _ => "fp32",
                };
                var flops = ReaderThroughput.ForwardFlops(qa.Config, length);
                if (parse.GetValue(json))
                {
                    await console.Out.WriteLineAsync(JsonSerializer.Serialize(new
                    {
                        model = folder?.FullName,
                        shape = shapeName,
                        seq = length,
                        threads = torch.get_num_threads(),
                        device = target.ToString(),
                        precision = precisionRun,
                        results = results.Select(r => new { batch = r.Batch, windows_per_second = Math.Round(r.WindowsPerSecond, 3) }),
                    }));
                }
                else
                {
                    await console.Out.WriteLineAsync(
                        $"{folder?.Name ?? shapeName}: {qa.Config.NumHiddenLayers} layers × {qa.Config.HiddenSize}, seq {length}, {torch.get_num_threads()} threads, {target}, {precisionRun}");
                    await console.Out.WriteLineAsync("batch  windows/s  ms/window  GFLOP/s");
                    foreach (var r in results)
                    {
                        await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                            $"{r.Batch,5}  {r.WindowsPerSecond,9:F2}  {1000 / r.WindowsPerSecond,9:F1}  {r.WindowsPerSecond * flops / 1e9,7:F1}"));
                    }
                }
                return 0;
            }
            finally
            {
                if (local is not null) await local.DisposeAsync();
                else qa.Dispose();
            }
        }));
        return command;
    }

    static List<int> ParseBatches(string text)
    {
        var sizes = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var size) || size is < 1 or > 1024)
                throw new ArgumentException($"--batch: '{part}' is not a batch size in 1..1024.");
            sizes.Add(size);
        }
        return sizes.Count > 0 ? sizes : throw new ArgumentException("--batch needs at least one size.");
    }
}
