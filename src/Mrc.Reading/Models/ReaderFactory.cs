using Mrc.Reading.Checkpoints;
using Mrc.Reading.Devices;
using Mrc.Reading.Inference;
using Mrc.Reading.Modeling;
using Mrc.Reading.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace Mrc.Reading.Models;

/// <summary>A model version folder loaded for reading, outside the server (the CLI, benchmarks).</summary>
public sealed class LocalReader : IAsyncDisposable
{
    internal LocalReader(EncoderConfig config, IReaderTokenizer tokenizer, ModelExecutor executor, IWindowRunner runner, ReaderEngine engine,
        CheckpointReport report, ScalarType elementType, string? precisionFallback)
    {
        ElementType = elementType;
        PrecisionFallback = precisionFallback;
        Config = config;
        Tokenizer = tokenizer;
        Executor = executor;
        Runner = runner;
        Engine = engine;
        Report = report;
    }

    public EncoderConfig Config { get; }
    public IReaderTokenizer Tokenizer { get; }
    public ModelExecutor Executor { get; }
    public IWindowRunner Runner { get; }
    public ReaderEngine Engine { get; }
    public CheckpointReport Report { get; }
    public long Parameters => Executor.Model.ParameterCount;

    /// <summary>The element type the model runs in.</summary>
    public ScalarType ElementType { get; }

    /// <summary>Why a reduced precision that was asked for runs as fp32 instead (null when it runs as asked).</summary>
    public string? PrecisionFallback { get; }

    public async ValueTask DisposeAsync()
    {
        await Runner.DisposeAsync().ConfigureAwait(false);
        Executor.Dispose();
    }
}

/// <summary>Builds a ready reader from a model version folder (config.json, weights, tokenizer files).</summary>
public static class ReaderFactory
{
    /// <param name="folder">The model version folder.</param>
    /// <param name="device">"auto", "cpu", "cuda" or "cuda:N".</param>
    /// <param name="precision">"fp32", "bf16" or "fp16" (reduced precision on CUDA, and on a CPU that computes it natively).</param>
    /// <param name="batching">Dynamic batching settings, or null to run each request's windows on their own.</param>
    /// <param name="windows">Windowing settings (HF defaults when null).</param>
    public static LocalReader Load(string folder, string device = "auto", string precision = "fp32",
        BatchingSettings? batching = null, WindowSettings? windows = null, int maxBatchWindows = 32)
    {
        var config = EncoderConfig.Load(Path.Combine(folder, "config.json"));
        var tokenizer = TokenizerLoader.FromFolder(folder);
        var target = DeviceChoice.Resolve(device);
        var model = new QuestionAnsweringModel(config);
        CheckpointReport report;
        var (elementType, fallback) = DeviceChoice.ElementType(target, precision);
        try
        {
            report = CheckpointLoader.Load(model, folder, config.Prefix);
            model.to(target).to(elementType);
            model.eval();
        }
        catch
        {
            model.Dispose();
            throw;
        }
        var executor = new ModelExecutor(model, target, tokenizer.PadId);
        IWindowRunner runner = batching is null ? new DirectWindowRunner(executor, maxBatchWindows) : new DynamicBatcher(executor, batching);
        // A model with one token type (RoBERTa, XLM-R) gets type 0 everywhere, as HF feeds it.
        var engine = new ReaderEngine(tokenizer, runner, windows ?? new WindowSettings(), tokenizer.Pair.ForTypeVocabulary(config.TypeVocabSize));
        return new LocalReader(config, tokenizer, executor, runner, engine, report, elementType, fallback);
    }
}
