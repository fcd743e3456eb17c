using System.Diagnostics;
using System.Runtime.InteropServices;
using Mrc.Core.Data;
using Mrc.Reading.Checkpoints;
using Mrc.Reading.Devices;
using Mrc.Reading.Inference;
using Mrc.Reading.Modeling;
using Mrc.Reading.Tokenization;
using Mrc.Training.Optimization;
using Mrc.Training.ReaderTraining;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Mrc.Training.Tuning;

/// <summary>
/// The reader training of one run-configuration stage, set up as the trainer sets it up (data,
/// windows, start model, AdamW, device) for the finders: single steps at a chosen learning rate,
/// and single steps at a chosen batch size with their memory and speed.
/// </summary>
public sealed class ReaderProbe : IDisposable
{
    readonly ReaderTrainingOptions options;
    readonly Device device;
    readonly QuestionAnsweringModel model;
    readonly AdamW optimizer;
    readonly List<TrainingWindow> windows;
    readonly int padId;
    readonly int[] order;
    int cursor;

    public ReaderProbe(ReaderTrainingOptions options)
    {
        options.Validate();
        this.options = options;
        var train = QuestionSetReader.Load(options.TrainFile);
        QaTrainingFeatures.Validate(train, options.TrainFile);
        device = DeviceChoice.Resolve(options.Device);
        var tokenizer = WordPieceTokenizer.FromFolder(options.ModelFolder);
        padId = tokenizer.PadId;
        var config = EncoderConfig.Load(Path.Combine(options.ModelFolder, "config.json"));
        windows = QaTrainingFeatures.Build(tokenizer, train, new WindowSettings(options.MaxSeqLength, options.DocStride, options.MaxQueryLength));
        order = Enumerable.Range(0, windows.Count).ToArray();
        new Random(options.Seed).Shuffle(order);

        manual_seed(options.Seed);
        model = new QuestionAnsweringModel(config);
        WeightInit.Apply(model);
        if (CheckpointLoader.HasCheckpoint(options.ModelFolder)) ReaderTrainer.LoadInitialWeights(model, options.ModelFolder);
        model.to(device);
        model.train();
        optimizer = OptimizerFactory.AdamW(model, options.LearningRate, options.WeightDecay);
    }

    public int WindowCount => windows.Count;
    public Device Device => device;

    /// <summary>One optimizer step (batch size × accumulation windows, in data order shuffled by the seed) at this learning rate; its loss.</summary>
    public double TrainStep(double learningRate)
    {
        int perStep = options.BatchSize * options.GradientAccumulation;
        var step = Enumerable.Range(0, perStep).Select(_ => windows[order[cursor++ % order.Length]]).ToList();
        return Step(step, learningRate);
    }

    /// <summary>
    /// One step on <paramref name="size"/> of the longest windows (the worst case of padding), timed
    /// after a warm-up step. On the CPU, fits when the process's resident memory stayed within the
    /// budget; on any device, not when the allocator runs out of memory.
    /// </summary>
    public BatchTrial TryBatch(int size, long? memoryBudgetBytes, int timedSteps = 2)
    {
        var longest = windows.OrderByDescending(w => w.Window.Length).First();
        var batch = Enumerable.Repeat(longest, size).ToList();
        ProcessMemory.Release();
        long peak = 0;
        try
        {
            var watch = new Stopwatch();
            for (int i = 0; i <= timedSteps; i++)
            {
                if (i == 1) watch.Start(); // the first step warms up allocators and kernels
                Step(batch, options.LearningRate, () => peak = Math.Max(peak, ProcessMemory.ResidentBytes()));
                if (memoryBudgetBytes is { } budget && peak > budget) return new BatchTrial(size, false, Mb(peak), 0, "over the memory budget");
            }
            if (device.type == DeviceType.CUDA) cuda.synchronize();
            return new BatchTrial(size, true, Mb(peak), size * timedSteps / watch.Elapsed.TotalSeconds);
        }
        catch (ExternalException e) when (e.Message.Contains("out of memory", StringComparison.OrdinalIgnoreCase))
        {
            return new BatchTrial(size, false, Mb(peak), 0, "out of memory");
        }
        finally
        {
            optimizer.zero_grad();
            ProcessMemory.Release();
        }
    }

    double Step(List<TrainingWindow> step, double learningRate, Action? measure = null)
    {
        OptimizerFactory.SetLearningRate(optimizer, learningRate);
        optimizer.zero_grad();
        double total = 0;
        foreach (var micro in step.Chunk(options.BatchSize))
        {
            using var scope = NewDisposeScope();
            var loss = ReaderTrainer.Loss(model, micro.ToList(), padId, device).div(Math.Ceiling(step.Count / (double)options.BatchSize));
            measure?.Invoke(); // activations of the forward pass are alive here
            loss.backward();
            measure?.Invoke();
            total += loss.item<float>();
        }
        nn.utils.clip_grad_norm_(model.parameters(), options.MaxGradNorm);
        optimizer.step();
        measure?.Invoke();
        return total;
    }

    static double Mb(long bytes) => bytes / (1024.0 * 1024.0);

    public void Dispose()
    {
        optimizer.Dispose();
        model.Dispose();
    }
}
