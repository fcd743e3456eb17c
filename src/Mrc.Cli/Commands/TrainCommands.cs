using System.CommandLine;
using Mrc.Core.Runs;
using Mrc.Training;
using Mrc.Training.Configuration;
using Mrc.Training.MaskedLm;
using Mrc.Training.ReaderTraining;
using Mrc.Training.Stages;

namespace Mrc.Cli.Commands;

/// <summary>`mrc train mlm` (TAPT or pre-training from scratch) and `mrc train reader` (extractive QA fine-tuning).</summary>
internal static class TrainCommands
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("train", "Train readers: a run from a config file (--config run.yaml), masked-LM pre-training and QA fine-tuning.")
        {
            Mlm(console),
            Reader(console),
            Baseline(console),
        };
        TrainFromConfig.Attach(command, console);
        return command;
    }

    static Command Baseline(CliConsole console)
    {
        var dataset = new Option<string>("--dataset") { Description = "KorQuAD/SQuAD JSON with contexts.", Required = true };
        var output = new Option<string>("--out") { Description = "Predictions file {\"id\": \"answer\"} for `mrc eval`.", Required = true };
        var command = new Command("baseline", "Trivial reader for scale: the context sentence sharing most character bigrams with the question.")
        {
            dataset, output,
        };
        command.SetAction((parse, _) => CommandErrors.Guard(console, async () =>
        {
            var examples = Mrc.Core.Data.QuestionSetReader.Load(parse.GetValue(dataset)!);
            var predictions = SentenceOverlapBaseline.Predict(examples);
            Mrc.Core.Data.PredictionsJson.Save(predictions, parse.GetValue(output)!);
            await console.Out.WriteLineAsync($"wrote {predictions.Count} predictions to {parse.GetValue(output)}");
            return 0;
        }));
        return command;
    }

    static Command Reader(CliConsole console)
    {
        var train = new Option<string>("--train") { Description = "KorQuAD/SQuAD JSON (or .jsonl with contexts) to train on.", Required = true };
        var validation = new Option<string?>("--validation") { Description = "Held-out KorQuAD/SQuAD JSON scored with the official EM/F1." };
        var model = new Option<string>("--model") { Description = "HF model folder: an encoder (e.g. after `mrc train mlm`), a QA model, or config.json + vocab only (from scratch).", Required = true };
        var output = new Option<string>("--out") { Description = "Folder for the best model, e.g. models/NAME/VERSION.", Required = true };
        var maxSeqLength = new Option<int>("--max-seq-length") { DefaultValueFactory = _ => 384 };
        var docStride = new Option<int>("--doc-stride") { DefaultValueFactory = _ => 128 };
        var batchSize = new Option<int>("--batch-size") { DefaultValueFactory = _ => 16 };
        var accumulation = new Option<int>("--gradient-accumulation") { DefaultValueFactory = _ => 1 };
        var epochs = new Option<double>("--epochs") { DefaultValueFactory = _ => 2.0 };
        var maxSteps = new Option<int>("--max-steps") { DefaultValueFactory = _ => 0, Description = "Stop after this many optimizer steps (0: all epochs)." };
        var learningRate = new Option<double>("--learning-rate") { DefaultValueFactory = _ => 5e-5 };
        var warmup = new Option<double>("--warmup-ratio") { DefaultValueFactory = _ => 0.1 };
        var curriculum = new Option<bool>("--curriculum") { Description = "Train shortest contexts first, without shuffling." };
        var evaluateEvery = new Option<int>("--eval-steps") { DefaultValueFactory = _ => 0, Description = "Evaluate (and keep the best model) every N steps; 0: at the end." };
        var checkpointEvery = new Option<int>("--save-steps") { DefaultValueFactory = _ => 0, Description = "Save a resumable checkpoint every N steps." };
        var resume = new Option<bool>("--resume") { Description = "Continue from OUT.checkpoint if it exists." };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 42 };
        var device = new Option<string>("--device") { DefaultValueFactory = _ => "auto", Description = "auto, cpu, cuda or cuda:N." };
        var head = new Option<string>("--head")
        {
            DefaultValueFactory = _ => "linear",
            Description = "QA head: linear (Hugging Face's qa_outputs, loadable by transformers) or conv (1-D convolutions, kernels 1/3/5, over the last hidden states).",
        };

        var command = new Command("reader", "Fine-tune an extractive QA reader (answer span start/end) on KorQuAD-style data.")
        {
            train, validation, model, output, maxSeqLength, docStride, batchSize, accumulation, epochs, maxSteps,
            learningRate, warmup, curriculum, evaluateEvery, checkpointEvery, resume, seed, device, head,
        };
        var tracking = new RunTracking();
        tracking.AddTo(command);
        command.SetAction((parse, cancellation) => CommandErrors.Guard(console, async () =>
        {
            var options = new ReaderTrainingOptions
            {
                TrainFile = parse.GetValue(train)!,
                ValidationFile = parse.GetValue(validation),
                ModelFolder = parse.GetValue(model)!,
                OutputFolder = parse.GetValue(output)!,
                MaxSeqLength = parse.GetValue(maxSeqLength),
                DocStride = parse.GetValue(docStride),
                BatchSize = parse.GetValue(batchSize),
                GradientAccumulation = parse.GetValue(accumulation),
                Epochs = parse.GetValue(epochs),
                MaxSteps = parse.GetValue(maxSteps),
                LearningRate = parse.GetValue(learningRate),
                WarmupRatio = parse.GetValue(warmup),
                Curriculum = parse.GetValue(curriculum),
                EvaluateEverySteps = parse.GetValue(evaluateEvery),
                CheckpointEverySteps = parse.GetValue(checkpointEvery),
                Resume = parse.GetValue(resume),
                Seed = parse.GetValue(seed),
                Device = parse.GetValue(device),
                Head = parse.GetValue(head)!,
                CommandLine = "mrc " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)),
            };
            options.Validate();
            var result = tracking.Run(parse, console, RunKinds.Reader, options, options.OutputFolder,
                tracker => new ReaderTrainer(options, ProgressPrinter.For(console), tracker).Run(cancellation));
            RunConfigWriter.Save(RunPlan.OfSingleStage(options, tracking.Settings(parse, options.OutputFolder)), options.OutputFolder);
            string scores = result.Best is { } best ? $"; best validation EM {best.ExactMatch:F2} F1 {best.F1:F2} at step {result.BestStep}" : "";
            await console.Out.WriteLineAsync(
                $"trained {result.Steps} steps in {result.Duration.TotalMinutes:F1} min; final loss {result.FinalLoss:F4}{scores}; saved to {options.OutputFolder}");
            return 0;
        }));
        return command;
    }

    static Command Mlm(CliConsole console)
    {
        var corpus = new Option<string[]>("--corpus")
        {
            Description = "Text files: plain text, .jsonl, KorQuAD/SQuAD .json contexts, KLUE dev files.",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var model = new Option<string?>("--model") { Description = "HF model folder to continue pre-training (TAPT)." };
        var config = new Option<string?>("--config") { Description = "config.json of a new model (with --tokenizer)." };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "Folder with vocab.txt for a new model." };
        var output = new Option<string>("--out") { Description = "Folder for the trained model.", Required = true };
        var maxLength = new Option<int>("--max-length") { DefaultValueFactory = _ => 128, Description = "Tokens per packed sequence." };
        var batchSize = new Option<int>("--batch-size") { DefaultValueFactory = _ => 32 };
        var epochs = new Option<double>("--epochs") { DefaultValueFactory = _ => 1.0 };
        var learningRate = new Option<double>("--learning-rate") { DefaultValueFactory = _ => 5e-5 };
        var warmup = new Option<double>("--warmup-ratio") { DefaultValueFactory = _ => 0.06 };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 42 };
        var device = new Option<string>("--device") { DefaultValueFactory = _ => "auto", Description = "auto, cpu, cuda or cuda:N." };

        var command = new Command("mlm", "Masked-LM training: task-adaptive pre-training of a model, or a new small model from scratch.")
        {
            corpus, model, config, tokenizer, output, maxLength, batchSize, epochs, learningRate, warmup, seed, device,
        };
        var tracking = new RunTracking();
        tracking.AddTo(command);
        command.SetAction((parse, cancellation) => CommandErrors.Guard(console, async () =>
        {
            var options = new MlmTrainingOptions
            {
                CorpusFiles = parse.GetValue(corpus)!,
                ModelFolder = parse.GetValue(model),
                ConfigFile = parse.GetValue(config),
                TokenizerFolder = parse.GetValue(tokenizer),
                OutputFolder = parse.GetValue(output)!,
                MaxLength = parse.GetValue(maxLength),
                BatchSize = parse.GetValue(batchSize),
                Epochs = parse.GetValue(epochs),
                LearningRate = parse.GetValue(learningRate),
                WarmupRatio = parse.GetValue(warmup),
                Seed = parse.GetValue(seed),
                Device = parse.GetValue(device),
                CommandLine = "mrc " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)),
            };
            options.Validate();
            var result = tracking.Run(parse, console, RunKinds.Mlm, options, options.OutputFolder,
                tracker => new MlmTrainer(options, ProgressPrinter.For(console), tracker).Run(cancellation));
            RunConfigWriter.Save(RunPlan.OfSingleStage(options, tracking.Settings(parse, options.OutputFolder)), options.OutputFolder);
            await console.Out.WriteLineAsync(
                $"trained {result.Steps} steps on {result.Sequences} sequences in {result.Duration.TotalMinutes:F1} min; final loss {result.FinalLoss:F4}; saved to {options.OutputFolder}");
            return 0;
        }));
        return command;
    }
}
