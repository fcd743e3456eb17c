using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mrc.Core.Data;
using Mrc.Core.Metrics;
using Mrc.Reading.Checkpoints;
using Mrc.Reading.Devices;
using Mrc.Reading.Inference;
using Mrc.Reading.Modeling;
using Mrc.Reading.Tokenization;
using Mrc.Training.Optimization;
using Mrc.Training.Tracking;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Mrc.Core.Pipeline;

namespace Mrc.Training.ReaderTraining;

/// <summary>
/// Extractive QA fine-tuning with the reader's own windowing and post-processing: AdamW with
/// warm-up and linear decay, gradient clipping and accumulation, evaluation with the official
/// KorQuAD EM/F1 every N steps, the best model kept in the output folder, optional curriculum
/// ordering, and resumable checkpoints. Every step reseeds from (seed, step), so a resumed run
/// computes exactly what an uninterrupted one would. A <paramref name="tracker"/> records each logged
/// step and evaluation in the run store, and its run id goes into the model card.
/// </summary>
public sealed class ReaderTrainer(ReaderTrainingOptions options, IProgress<TrainingProgress>? progress = null, IRunTracker? tracker = null)
{

    public sealed record Result(int Steps, double FinalLoss, EvaluationResult? Best, int BestStep, TimeSpan Duration);

    sealed record TrainerState(int Step, double Loss, double BestF1, double BestExactMatch, int BestStep, double Seconds);

    static readonly JsonSerializerOptions StateJson = new() { WriteIndented = true };

    public Result Run(CancellationToken cancellation = default)
    {
        options.Validate();
        // Data first: a bad file should fail in seconds, before any model is built.
        var train = QuestionSetReader.Load(options.TrainFile);
        QaTrainingFeatures.Validate(train, options.TrainFile);
        var validation = options.ValidationFile is null ? null : QuestionSetReader.Load(options.ValidationFile);
        if (validation is not null) QaTrainingFeatures.Validate(validation, options.ValidationFile!);

        var device = DeviceChoice.Resolve(options.Device);
        var tokenizer = WordPieceTokenizer.FromFolder(options.ModelFolder);
        // The head is the run's choice; a model folder with another head gives its encoder only.
        var config = EncoderConfig.Load(Path.Combine(options.ModelFolder, "config.json")).WithHead(options.Head);
        var windowSettings = new WindowSettings(options.MaxSeqLength, options.DocStride, options.MaxQueryLength);

        var windows = QaTrainingFeatures.Build(tokenizer, train, windowSettings);
        if (options.Curriculum)
            windows = CurriculumOrder.ByContextLength(windows, w => train[w.ExampleIndex].Context!).ToList();
        Report(0, 0, double.NaN, 0, 0, $"{train.Count} training questions → {windows.Count} windows{(options.Curriculum ? " (curriculum: by context length, no shuffling)" : "")}");
        if (config.Head != QaHeads.Linear)
            Report(0, 0, double.NaN, 0, 0, $"QA head: {config.Head} (kernel sizes {string.Join(", ", config.HeadKernelSizes)}, {config.HeadChannels} channels each)");

        manual_seed(options.Seed);
        using var model = new QuestionAnsweringModel(config);
        WeightInit.Apply(model);
        if (CheckpointLoader.HasCheckpoint(options.ModelFolder)) LoadInitialWeights(model, options.ModelFolder);
        else Report(0, 0, double.NaN, 0, 0, $"{options.ModelFolder} holds no weights: training from a fresh initialisation");

        int examplesPerStep = options.BatchSize * options.GradientAccumulation;
        int stepsPerEpoch = (windows.Count + examplesPerStep - 1) / examplesPerStep;
        int totalSteps = Math.Max(1, (int)Math.Ceiling(stepsPerEpoch * options.Epochs));
        if (options.MaxSteps > 0) totalSteps = Math.Min(totalSteps, options.MaxSteps);
        var schedule = new LinearSchedule(options.LearningRate, (int)(totalSteps * options.WarmupRatio), totalSteps);

        string checkpointFolder = options.CheckpointFolder;
        var state = new TrainerState(0, 0, BestF1: -1, 0, 0, 0);
        if (options.Resume && File.Exists(Path.Combine(checkpointFolder, "trainer-state.json")))
        {
            state = JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(Path.Combine(checkpointFolder, "trainer-state.json")))!;
            CheckpointLoader.Load(model, checkpointFolder, config.Prefix);
            Report(state.Step, totalSteps, state.Loss, 0, 0, $"resuming at step {state.Step}");
        }
        model.to(device);
        using var optimizer = OptimizerFactory.AdamW(model, options.LearningRate, options.WeightDecay);
        if (state.Step > 0) optimizer.load_state_dict(Path.Combine(checkpointFolder, "optimizer.bin"));

        var watch = Stopwatch.StartNew();
        double smoothed = state.Step == 0 ? double.NaN : state.Loss;
        EvaluationResult? best = null;
        int step = state.Step;
        while (step < totalSteps)
        {
            cancellation.ThrowIfCancellationRequested();
            model.train();
            manual_seed(options.Seed * 1_000_003L + step);
            OptimizerFactory.SetLearningRate(optimizer, schedule.At(step));
            optimizer.zero_grad();
            double stepLoss = 0;
            foreach (var micro in StepBatches(windows, step, stepsPerEpoch, examplesPerStep))
            {
                using var scope = NewDisposeScope();
                var loss = Loss(model, micro, tokenizer.PadId, device).div(options.GradientAccumulation);
                loss.backward();
                stepLoss += loss.item<float>();
            }
            nn.utils.clip_grad_norm_(model.parameters(), options.MaxGradNorm);
            optimizer.step();
            step++;
            smoothed = double.IsNaN(smoothed) ? stepLoss : 0.9 * smoothed + 0.1 * stepLoss;

            double seconds = state.Seconds + watch.Elapsed.TotalSeconds;
            if (step % options.LogEverySteps == 0 || step == totalSteps)
            {
                double rate = (step - state.Step) * examplesPerStep / watch.Elapsed.TotalSeconds;
                Report(step, totalSteps, smoothed, rate, schedule.At(step - 1));
                tracker?.LogStep(step, smoothed, schedule.At(step - 1), rate);
            }

            bool evaluateNow = validation is not null
                && ((options.EvaluateEverySteps > 0 && step % options.EvaluateEverySteps == 0) || step == totalSteps);
            if (evaluateNow)
            {
                var result = Evaluate(model, tokenizer, validation!, windowSettings, device);
                Report(step, totalSteps, smoothed, 0, 0, $"step {step}: validation EM {result.ExactMatch:F2} F1 {result.F1:F2}");
                tracker?.LogEvaluation(step, result.ExactMatch, result.F1);
                if (result.F1 > state.BestF1)
                {
                    best = result;
                    state = state with { BestF1 = result.F1, BestExactMatch = result.ExactMatch, BestStep = step };
                    SaveModel(model, config, step, seconds, smoothed, result);
                }
            }
            if (evaluateNow || step == totalSteps || (options.CheckpointEverySteps > 0 && step % options.CheckpointEverySteps == 0))
                SaveCheckpoint(model, optimizer, checkpointFolder, state with { Step = step, Loss = smoothed, Seconds = seconds });
        }

        if (validation is null) SaveModel(model, config, step, state.Seconds + watch.Elapsed.TotalSeconds, smoothed, null);
        if (best is null && state.BestStep > 0)
            best = new EvaluationResult(state.BestExactMatch, state.BestF1, validation?.Count ?? 0, []);
        return new Result(step, smoothed, best, state.BestStep, watch.Elapsed);
    }

    /// <summary>The windows of one optimizer step, split into micro-batches for accumulation.</summary>
    IEnumerable<List<TrainingWindow>> StepBatches(List<TrainingWindow> windows, int step, int stepsPerEpoch, int examplesPerStep)
    {
        int epoch = step / stepsPerEpoch;
        int[] order = EpochOrder(windows.Count, epoch);
        int start = step % stepsPerEpoch * examplesPerStep;
        var chosen = order.Skip(start).Take(examplesPerStep).Select(i => windows[i]).ToList();
        return chosen.Chunk(options.BatchSize).Select(c => c.ToList());
    }

    int[] EpochOrder(int count, int epoch)
    {
        var order = Enumerable.Range(0, count).ToArray();
        if (!options.Curriculum) new Random(HashCode.Combine(options.Seed, epoch)).Shuffle(order);
        return order;
    }

    internal static Tensor Loss(QuestionAnsweringModel model, List<TrainingWindow> batch, int padId, Device device)
    {
        int length = batch.Max(w => w.Window.Length);
        var ids = new long[batch.Count * length];
        var types = new long[batch.Count * length];
        var mask = new long[batch.Count * length];
        Array.Fill(ids, padId);
        for (int b = 0; b < batch.Count; b++)
        {
            var window = batch[b].Window;
            for (int t = 0; t < window.Length; t++)
            {
                ids[b * length + t] = window.InputIds[t];
                types[b * length + t] = window.TokenTypeIds[t];
                mask[b * length + t] = 1;
            }
        }
        var (start, end) = model.forward(
            tensor(ids, [batch.Count, length], device: device),
            tensor(types, [batch.Count, length], device: device),
            tensor(mask, [batch.Count, length], device: device));
        var startTargets = tensor(batch.Select(w => (long)w.StartPosition).ToArray(), device: device);
        var endTargets = tensor(batch.Select(w => (long)w.EndPosition).ToArray(), device: device);
        return nn.functional.cross_entropy(start, startTargets).add(nn.functional.cross_entropy(end, endTargets)).div(2);
    }

    /// <summary>Predicts every validation question from its gold context with the reader's pipeline and scores it officially.</summary>
    public static EvaluationResult Evaluate(QuestionAnsweringModel model, WordPieceTokenizer tokenizer,
        IReadOnlyList<QuestionExample> examples, WindowSettings windowSettings, Device device, int batchWindows = 32)
    {
        var executor = new ModelExecutor(model, device, tokenizer.PadId); // not disposed: it would dispose the model
        var engine = new ReaderEngine(tokenizer, new DirectWindowRunner(executor, batchWindows), windowSettings);
        var settings = new ReadSettings(PassageMode.Separate, NBest: 1, MaxAnswerLength: 30, RetrieverWeight: 0, StripParticles: false);
        var predictions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var example in examples)
        {
            var answers = engine.ReadAsync(example.Question, [new PassageInput(example.Id, example.Context!)], settings, CancellationToken.None)
                .GetAwaiter().GetResult();
            predictions[example.Id] = answers.Count > 0 ? answers[0].Text : "";
        }
        return KorQuadMetrics.Evaluate(examples.Select(e => (e.Id, (IReadOnlyList<string>)e.Answers.Select(a => a.Text).ToList())), predictions);
    }

    internal static void LoadInitialWeights(QuestionAnsweringModel model, string folder)
    {
        // A QA checkpoint with the same head continues as it is; an encoder checkpoint (pre-trained,
        // or after TAPT) or a QA model with another head gives the encoder, and the head keeps its
        // fresh initialisation.
        var weights = CheckpointLoader.ReadStateDict(folder, out var source);
        try
        {
            CheckpointLoader.Load(model, weights, model.Config.Prefix, source);
        }
        catch (CheckpointException)
        {
            CheckpointLoader.Load(model.Encoder, weights, model.Config.Prefix, source);
        }
        finally
        {
            foreach (var tensor in weights.Values) tensor.Dispose();
        }
    }

    void SaveModel(QuestionAnsweringModel model, EncoderConfig config, int step, double seconds, double loss, EvaluationResult? result)
    {
        var card = new JsonObject
        {
            ["task"] = "extractive-qa",
            ["base_model"] = Path.GetFullPath(options.ModelFolder),
            ["data"] = new JsonObject
            {
                ["train"] = Path.GetFileName(options.TrainFile),
                ["validation"] = options.ValidationFile is null ? null : Path.GetFileName(options.ValidationFile),
            },
            ["command"] = options.CommandLine,
            ["recipe"] = new JsonObject
            {
                ["curriculum"] = options.Curriculum,
                ["head"] = options.Head,
                ["max_seq_length"] = options.MaxSeqLength,
                ["doc_stride"] = options.DocStride,
                ["batch_size"] = options.BatchSize,
                ["gradient_accumulation"] = options.GradientAccumulation,
                ["epochs"] = options.Epochs,
                ["max_steps"] = options.MaxSteps,
                ["learning_rate"] = options.LearningRate,
                ["warmup_ratio"] = options.WarmupRatio,
                ["weight_decay"] = options.WeightDecay,
                ["seed"] = options.Seed,
                ["step"] = step,
            },
            ["metrics"] = result is null
                ? new JsonObject { ["train_loss"] = Math.Round(loss, 4) }
                : new JsonObject
                {
                    ["exact_match"] = Math.Round(result.ExactMatch, 2),
                    ["f1"] = Math.Round(result.F1, 2),
                    ["validation_questions"] = result.QuestionCount,
                    ["train_loss"] = Math.Round(loss, 4),
                },
            ["training_seconds"] = Math.Round(seconds, 1),
            ["run_id"] = tracker?.RunId,
        };
        ModelFolder.Save(model, config, ModelFolder.ArchitectureClass(config, "ForQuestionAnswering"), options.ModelFolder,
            options.OutputFolder, card);
    }

    static void SaveCheckpoint(QuestionAnsweringModel model, AdamW optimizer, string folder, TrainerState state)
    {
        string temp = folder + ".saving";
        if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        Directory.CreateDirectory(temp);
        CheckpointLoader.SaveSafetensors(model, temp);
        optimizer.save_state_dict(Path.Combine(temp, "optimizer.bin"));
        File.WriteAllText(Path.Combine(temp, "trainer-state.json"), JsonSerializer.Serialize(state, StateJson));
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        Directory.Move(temp, folder);
    }

    void Report(int step, int total, double loss, double rate, double learningRate, string? message = null) =>
        progress?.Report(new TrainingProgress(step, total, loss, rate, learningRate, message));
}
