using System.Diagnostics;
using System.Text.Json.Nodes;
using Mrc.Reading.Checkpoints;
using Mrc.Reading.Devices;
using Mrc.Reading.Modeling;
using Mrc.Reading.Tokenization;
using Mrc.Training.Corpora;
using Mrc.Training.Optimization;
using Mrc.Training.Tracking;
using TorchSharp;
using static TorchSharp.torch;

namespace Mrc.Training.MaskedLm;

/// <summary>
/// Masked-LM training: the TAPT step (continue an encoder's pre-training on in-domain Korean text
/// for about an epoch before fine-tuning) and pre-training a small encoder from scratch. Texts are
/// tokenized, packed into full sequences, masked anew each epoch (BERT's 15% / 80-10-10), and
/// trained with AdamW, linear warm-up and decay, and gradient clipping. A <paramref name="tracker"/>
/// records each logged step in the run store, and its run id goes into the model card.
/// </summary>
public sealed class MlmTrainer(MlmTrainingOptions options, IProgress<TrainingProgress>? progress = null, IRunTracker? tracker = null)
{
    public sealed record Result(int Steps, double FinalLoss, int Sequences, TimeSpan Duration);

    public Result Run(CancellationToken cancellation = default)
    {
        options.Validate();
        var device = DeviceChoice.Resolve(options.Device);
        string tokenizerFolder = options.ModelFolder ?? options.TokenizerFolder!;
        var tokenizer = WordPieceTokenizer.FromFolder(tokenizerFolder);
        var config = EncoderConfig.Load(options.ConfigFile ?? Path.Combine(options.ModelFolder!, "config.json"));
        if (config.VocabSize != tokenizer.VocabularySize)
            throw new ArgumentException($"config vocab_size {config.VocabSize} does not match the tokenizer's {tokenizer.VocabularySize} tokens");
        if (options.MaxLength > config.MaxPositionEmbeddings)
            throw new ArgumentException($"--max-length {options.MaxLength} exceeds max_position_embeddings {config.MaxPositionEmbeddings}");

        var sequences = BuildSequences(tokenizer);
        if (sequences.Count == 0)
            throw new ArgumentException($"the corpus gives no full sequence of {options.MaxLength} tokens; add text or lower --max-length");

        manual_seed(options.Seed);
        using var model = new MaskedLmModel(config);
        if (options.ModelFolder is not null) LoadEncoder(model, options.ModelFolder);
        else WeightInit.Apply(model);
        model.to(device);
        model.train();

        long maskId = FindId(tokenizer, "[MASK]", "<mask>");
        var special = new HashSet<long> { tokenizer.ClsId, tokenizer.SepId, tokenizer.PadId, tokenizer.UnkId, maskId };
        var masker = new MlmMasker(tokenizer.VocabularySize, maskId, special, options.Seed);
        var order = new Random(options.Seed);

        int stepsPerEpoch = (sequences.Count + options.BatchSize - 1) / options.BatchSize;
        int totalSteps = Math.Max(1, (int)Math.Ceiling(stepsPerEpoch * options.Epochs));
        var schedule = new LinearSchedule(options.LearningRate, (int)(totalSteps * options.WarmupRatio), totalSteps);
        using var optimizer = OptimizerFactory.AdamW(model, options.LearningRate, options.WeightDecay);

        var watch = Stopwatch.StartNew();
        double smoothed = double.NaN;
        int step = 0, seen = 0;
        while (step < totalSteps)
        {
            var indices = Enumerable.Range(0, sequences.Count).ToArray();
            order.Shuffle(indices);
            for (int start = 0; start < indices.Length && step < totalSteps; start += options.BatchSize)
            {
                cancellation.ThrowIfCancellationRequested();
                var batch = indices.Skip(start).Take(options.BatchSize).Select(i => masker.Mask(sequences[i])).ToList();
                using var scope = NewDisposeScope();
                var inputIds = Stack(batch.Select(b => b.InputIds), device);
                var labels = Stack(batch.Select(b => b.Labels), device);
                var attention = ones_like(inputIds);

                OptimizerFactory.SetLearningRate(optimizer, schedule.At(step));
                optimizer.zero_grad();
                var loss = model.Loss(inputIds, attention, labels);
                loss.backward();
                nn.utils.clip_grad_norm_(model.parameters(), options.MaxGradNorm);
                optimizer.step();

                double value = loss.item<float>();
                smoothed = double.IsNaN(smoothed) ? value : 0.9 * smoothed + 0.1 * value;
                step++;
                seen += batch.Count;
                if (step % options.LogEverySteps == 0 || step == totalSteps)
                {
                    progress?.Report(new TrainingProgress(step, totalSteps, smoothed, seen / watch.Elapsed.TotalSeconds, schedule.At(step - 1)));
                    tracker?.LogStep(step, smoothed, schedule.At(step - 1), seen / watch.Elapsed.TotalSeconds);
                }
            }
        }

        model.eval();
        var card = new JsonObject
        {
            ["task"] = "masked-lm",
            ["base_model"] = options.ModelFolder is null ? "trained from scratch" : Path.GetFullPath(options.ModelFolder),
            ["data"] = new JsonArray(options.CorpusFiles.Select(f => (JsonNode)Path.GetFileName(f)).ToArray()),
            ["command"] = options.CommandLine,
            ["recipe"] = new JsonObject
            {
                ["sequences"] = sequences.Count,
                ["max_length"] = options.MaxLength,
                ["batch_size"] = options.BatchSize,
                ["epochs"] = options.Epochs,
                ["steps"] = step,
                ["learning_rate"] = options.LearningRate,
                ["warmup_ratio"] = options.WarmupRatio,
                ["weight_decay"] = options.WeightDecay,
                ["seed"] = options.Seed,
                ["device"] = device.ToString(),
            },
            ["metrics"] = new JsonObject { ["final_mlm_loss"] = Math.Round(smoothed, 4) },
            ["training_seconds"] = Math.Round(watch.Elapsed.TotalSeconds, 1),
            ["run_id"] = tracker?.RunId,
        };
        ModelFolder.Save(model, config, ModelFolder.ArchitectureClass(config, "ForMaskedLM"), tokenizerFolder, options.OutputFolder, card);
        return new Result(step, smoothed, sequences.Count, watch.Elapsed);
    }

    List<long[]> BuildSequences(WordPieceTokenizer tokenizer)
    {
        var tokenized = TextCorpusReader.ReadAll(options.CorpusFiles)
            .Select(text => (IReadOnlyList<long>)tokenizer.Encode(text).Ids.Select(id => (long)id).ToArray());
        return SequencePacker.Pack(tokenized, options.MaxLength, tokenizer.ClsId, tokenizer.SepId).ToList();
    }

    static void LoadEncoder(MaskedLmModel model, string folder)
    {
        // A checkpoint with a masked-LM head resumes it; a plain encoder (or a QA model) gives the
        // encoder only, and the head starts fresh.
        var weights = CheckpointLoader.ReadStateDict(folder, out var source);
        try
        {
            CheckpointLoader.Load(model, weights, model.Config.Prefix, source);
        }
        catch (CheckpointException)
        {
            WeightInit.Apply(model);
            CheckpointLoader.Load(model.Encoder, weights, model.Config.Prefix, source);
        }
        finally
        {
            foreach (var tensor in weights.Values) tensor.Dispose();
        }
    }

    static long FindId(WordPieceTokenizer tokenizer, params string[] tokens)
    {
        for (int id = 0; id < tokenizer.VocabularySize; id++)
            if (tokens.Contains(tokenizer.IdToToken(id))) return id;
        throw new ArgumentException($"the vocabulary has no mask token ({string.Join(" or ", tokens)})");
    }

    static Tensor Stack(IEnumerable<long[]> rows, Device device)
    {
        var list = rows.ToList();
        int length = list[0].Length;
        var flat = new long[list.Count * length];
        for (int i = 0; i < list.Count; i++) Array.Copy(list[i], 0, flat, i * length, length);
        return tensor(flat, [list.Count, length], device: device);
    }
}
