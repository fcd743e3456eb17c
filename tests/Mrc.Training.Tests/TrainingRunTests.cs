using Mrc.Reading.Checkpoints;
using Mrc.Reading.Inference;
using Mrc.Reading.Modeling;
using Mrc.Reading.Tokenization;
using Mrc.Training.MaskedLm;
using Mrc.Training.ReaderTraining;
using static TorchSharp.torch;

namespace Mrc.Training.Tests;

/// <summary>Tiny-model training runs on the CPU that check what training must do, not how fast.</summary>
[Collection(SeededTraining.Name)]
public sealed class TrainingRunTests(TinyTrainingSetup setup) : IClassFixture<TinyTrainingSetup>
{
    sealed class Collect : IProgress<TrainingProgress>
    {
        public List<TrainingProgress> Reports { get; } = [];
        public void Report(TrainingProgress value) { lock (Reports) Reports.Add(value); }
    }

    sealed class StopAt(int step, CancellationTokenSource source) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Step == step && value.Message is null) source.Cancel();
        }
    }

    string NewFolder(string name) => Path.Combine(setup.Folder, name + "-" + Guid.NewGuid().ToString("N")[..8]);

    string PretrainTiny(string output, double epochs = 2)
    {
        new MlmTrainer(new MlmTrainingOptions
        {
            CorpusFiles = [setup.TrainFile],
            ConfigFile = setup.ConfigFile,
            TokenizerFolder = setup.TokenizerFolder,
            OutputFolder = output,
            MaxLength = 64,
            BatchSize = 8,
            Epochs = epochs,
            LearningRate = 1e-3,
            Device = "cpu",
        }).Run();
        return output;
    }

    ReaderTrainingOptions ReaderOptions(string model, string output) => new()
    {
        TrainFile = setup.TrainFile,
        ValidationFile = setup.ValidationFile,
        ModelFolder = model,
        OutputFolder = output,
        MaxSeqLength = 96,
        DocStride = 32,
        MaxQueryLength = 24,
        BatchSize = 8,
        LearningRate = 3e-3,
        WarmupRatio = 0,
        Device = "cpu",
        LogEverySteps = 1,
    };

    [Fact]
    public void MaskedLm_StateDictUsesHuggingFaceNames()
    {
        var config = EncoderConfig.Load(setup.ConfigFile);
        using var model = new MaskedLmModel(config);

        var names = model.state_dict().Keys.ToHashSet();

        Assert.Contains("bert.embeddings.word_embeddings.weight", names);
        Assert.Contains("cls.predictions.transform.dense.weight", names);
        Assert.Contains("cls.predictions.transform.LayerNorm.weight", names);
        Assert.Contains("cls.predictions.bias", names);
        Assert.DoesNotContain(names, n => n.Contains("decoder", StringComparison.Ordinal)); // tied to the embeddings
    }

    [Fact]
    public void MaskedLm_LossFallsAndTheSavedEncoderLoadsInTheReader()
    {
        var progress = new Collect();
        string output = NewFolder("mlm");
        var result = new MlmTrainer(new MlmTrainingOptions
        {
            CorpusFiles = [setup.TrainFile],
            ConfigFile = setup.ConfigFile,
            TokenizerFolder = setup.TokenizerFolder,
            OutputFolder = output,
            MaxLength = 64,
            BatchSize = 4,
            Epochs = 20,
            LearningRate = 5e-3,
            Device = "cpu",
            LogEverySteps = 1,
        }, progress).Run();

        var losses = progress.Reports.Select(r => r.Loss).ToList();
        Assert.True(losses[^1] < losses[0] - 0.5, $"MLM loss went from {losses[0]:F3} to {losses[^1]:F3}");
        Assert.True(File.Exists(Path.Combine(output, "model.safetensors")));
        Assert.True(File.Exists(Path.Combine(output, "vocab.txt")));
        Assert.True(File.Exists(Path.Combine(output, "model-card.json")));

        // The encoder part loads into the reader's QA model under the same names.
        using var qa = new QuestionAnsweringModel(EncoderConfig.Load(Path.Combine(output, "config.json")));
        var report = CheckpointLoader.Load(qa.Encoder, output, "bert");
        Assert.Contains("cls.predictions.bias", report.Unexpected);
        Assert.True(result.Steps > 0);
    }

    [Fact]
    public void ReaderTraining_LossFalls_AndTheSavedModelGivesTheSameLogitsInTheReader()
    {
        string pretrained = PretrainTiny(NewFolder("base"), epochs: 1);
        string output = NewFolder("reader");
        var progress = new Collect();

        var result = new ReaderTrainer(ReaderOptions(pretrained, output) with { Epochs = 8 }, progress).Run();

        var losses = progress.Reports.Where(r => r.Message is null).Select(r => r.Loss).ToList();
        Assert.True(losses[^1] < losses[0] * 0.8, $"QA loss went from {losses[0]:F3} to {losses[^1]:F3}");
        Assert.NotNull(result.Best);
        Assert.Contains(progress.Reports, r => r.Message?.Contains("validation EM", StringComparison.Ordinal) == true);

        // Reload as the reader service does and compare logits with the trained weights in the checkpoint.
        var config = EncoderConfig.Load(Path.Combine(output, "config.json"));
        var tokenizer = WordPieceTokenizer.FromFolder(output);
        using var reloaded = new QuestionAnsweringModel(config);
        CheckpointLoader.Load(reloaded, output, config.Prefix);
        using var fromCheckpoint = new QuestionAnsweringModel(config);
        CheckpointLoader.Load(fromCheckpoint, Path.Combine(output + ".checkpoint"), config.Prefix);
        var window = QaFeatures.Prepare(tokenizer, "질문은 무엇인가?", "대한민국의 수도는 서울이다.", 96, 32, 24)[0];
        var logits = new ModelExecutor(reloaded, CPU, tokenizer.PadId).Run([window])[0];
        var expected = new ModelExecutor(fromCheckpoint, CPU, tokenizer.PadId).Run([window])[0];
        Assert.Equal(result.Steps, result.BestStep); // evaluated once, at the end: the kept model is the last one
        Assert.Equal(expected.StartLogits, logits.StartLogits);
        Assert.Equal(expected.EndLogits, logits.EndLogits);
        Assert.Equal(window.Length, logits.StartLogits.Length);
        Assert.True(File.Exists(Path.Combine(output, "model-card.json")));
    }

    [Fact]
    public void TrackedReaderTraining_RecordsEveryLoggedStepAndEvaluation_AndTheModelCardNamesTheRun()
    {
        string pretrained = PretrainTiny(NewFolder("base"), epochs: 1);
        string output = NewFolder("tracked");
        var store = new Mrc.Core.Runs.RunStore(NewFolder("runs"));
        var options = ReaderOptions(pretrained, output) with { MaxSteps = 3, Epochs = 10, EvaluateEverySteps = 2 };
        var progress = new Collect();
        string runId;
        using (var run = Tracking.TrackedRun.Start(store, Mrc.Core.Runs.RunKinds.Reader, "tracked", options, output, ["test"]))
        {
            new ReaderTrainer(options, progress, run).Run();
            run.Finish();
            runId = run.RunId;
        }

        var record = store.Find(runId)!;
        Assert.Equal(Mrc.Core.Runs.RunStatuses.Finished, record.Status);
        Assert.Equal("0.003", record.Config["learning_rate"]);
        var metrics = store.ReadMetrics(runId);
        var steps = progress.Reports.Where(r => r.Message is null).ToList();
        Assert.Equal(steps.Select(s => (s.Step, (double?)s.Loss)), metrics.Where(m => !m.IsEvaluation).Select(m => (m.Step, m.Loss)));
        Assert.Equal([2, 3], metrics.Where(m => m.IsEvaluation).Select(m => m.Step));
        var card = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(output, "model-card.json")))!;
        Assert.Equal(runId, (string?)card["run_id"]);
    }

    [Fact]
    public async Task ConvHeadTraining_SavesAFolderTheReadersLoaderServesWithTheTrainedLogits()
    {
        string pretrained = PretrainTiny(NewFolder("base"), epochs: 1);
        string output = NewFolder("conv");
        var options = ReaderOptions(pretrained, output) with { Head = QaHeads.Conv, MaxSteps = 3, Epochs = 10 };

        var result = new ReaderTrainer(options).Run();

        var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(output, "config.json")))!;
        Assert.Equal("conv", (string?)config["mrc_head"]);
        Assert.Equal("[1,3,5]", config["mrc_head_kernel_sizes"]!.ToJsonString());
        Assert.Equal(32, (int)config["mrc_head_channels"]!);
        var saved = CheckpointLoader.ReadStateDict(output, out _);
        Assert.Contains("qa_head.convs.2.weight", saved.Keys);
        Assert.DoesNotContain("qa_outputs.weight", saved.Keys);

        // The model as the trainer held it after its last step (its resumable checkpoint; evaluated
        // once, at the end, so the saved best model is that step's) against the reader's own loader.
        Assert.Equal(result.Steps, result.BestStep);
        var trainedConfig = EncoderConfig.Load(Path.Combine(output, "config.json"));
        using var trained = new QuestionAnsweringModel(trainedConfig);
        CheckpointLoader.Load(trained, output + ".checkpoint", trainedConfig.Prefix);
        trained.eval();
        await using var reader = Mrc.Reading.Models.ReaderFactory.Load(output, device: "cpu");
        var window = QaFeatures.Prepare(reader.Tokenizer, "질문은 무엇인가?", "대한민국의 수도는 서울이다.", 96, 32, 24)[0];
        var served = reader.Executor.Run([window])[0];
        var expected = new ModelExecutor(trained, CPU, reader.Tokenizer.PadId).Run([window])[0];
        Assert.Equal(expected.StartLogits, served.StartLogits);
        Assert.Equal(expected.EndLogits, served.EndLogits);
    }

    [Fact]
    public void ReaderTraining_ResumedRun_EqualsAnUninterruptedOne()
    {
        string pretrained = PretrainTiny(NewFolder("base"), epochs: 1);
        string straight = NewFolder("straight");
        string resumed = NewFolder("resumed");
        var options = ReaderOptions(pretrained, straight) with { ValidationFile = null, MaxSteps = 4, Epochs = 10 };

        new ReaderTrainer(options).Run();
        // Interrupt the second run after its second step (it checkpoints every step), then resume it.
        using var interrupt = new CancellationTokenSource();
        var stopAtTwo = new StopAt(2, interrupt);
        Assert.Throws<OperationCanceledException>(() =>
            new ReaderTrainer(options with { OutputFolder = resumed, CheckpointEverySteps = 1 }, stopAtTwo).Run(interrupt.Token));
        var progress = new Collect();
        var second = new ReaderTrainer(options with { OutputFolder = resumed, Resume = true }, progress).Run();

        Assert.Equal(4, second.Steps);
        Assert.Contains(progress.Reports, r => r.Message == "resuming at step 2");
        var a = CheckpointLoader.ReadStateDict(straight, out _);
        var b = CheckpointLoader.ReadStateDict(resumed, out _);
        foreach (var (name, tensor) in a)
            Assert.True(tensor.allclose(b[name], rtol: 0, atol: 0), $"{name} differs between the resumed and the uninterrupted run");
    }

    [Fact]
    public void ReaderTraining_FromAConfigAndVocabularyAlone_StartsFresh()
    {
        string scratch = NewFolder("scratch");
        Directory.CreateDirectory(scratch);
        File.Copy(setup.ConfigFile, Path.Combine(scratch, "config.json"));
        foreach (var file in Directory.GetFiles(setup.TokenizerFolder)) File.Copy(file, Path.Combine(scratch, Path.GetFileName(file)));
        var progress = new Collect();

        var result = new ReaderTrainer(ReaderOptions(scratch, NewFolder("reader")) with { ValidationFile = null, MaxSteps = 2 }, progress).Run();

        Assert.Equal(2, result.Steps);
        Assert.Contains(progress.Reports, r => r.Message?.Contains("training from a fresh initialisation", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void Curriculum_WindowsComeShortestContextFirst()
    {
        var tokenizer = WordPieceTokenizer.FromFolder(setup.TokenizerFolder);
        var examples = Mrc.Core.Data.QuestionSetReader.Load(setup.TrainFile);
        var windows = QaTrainingFeatures.Build(tokenizer, examples, new WindowSettings(96, 32, 24));

        var ordered = CurriculumOrder.ByContextLength(windows, w => examples[w.ExampleIndex].Context!);

        var lengths = ordered.Select(w => examples[w.ExampleIndex].Context!.Length).ToList();
        Assert.Equal(lengths.Order(), lengths);
    }

    [Fact]
    public void TrainingLabels_PointAtTheAnswerTokens_OrAtClsWhenTheWindowLacksIt()
    {
        var tokenizer = WordPieceTokenizer.FromFolder(setup.TokenizerFolder);
        var examples = Mrc.Core.Data.QuestionSetReader.Load(setup.TrainFile);

        var windows = QaTrainingFeatures.Build(tokenizer, examples, new WindowSettings(96, 32, 24));

        Assert.Contains(windows, w => w.StartPosition == 0 && w.EndPosition == 0);
        foreach (var w in windows.Where(w => w.StartPosition > 0))
        {
            var example = examples[w.ExampleIndex];
            var span = example.Context!.Substring(w.Window.OffsetMapping[w.StartPosition]!.Value.Start,
                w.Window.OffsetMapping[w.EndPosition]!.Value.End - w.Window.OffsetMapping[w.StartPosition]!.Value.Start);
            Assert.Contains(example.Answers[0].Text, span, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ReaderTraining_WithAnswerNotAtItsStart_FailsBeforeTraining()
    {
        string bad = Path.Combine(setup.Folder, "bad-" + Guid.NewGuid().ToString("N")[..8] + ".json");
        File.WriteAllText(bad, """{"version":"v","data":[{"title":"t","paragraphs":[{"context":"서울은 수도이다.","qas":[{"id":"x1","question":"수도는?","answers":[{"text":"부산","answer_start":0}]}]}]}]}""");

        var error = Assert.Throws<ArgumentException>(() =>
            new ReaderTrainer(ReaderOptions(setup.TokenizerFolder, NewFolder("never")) with { TrainFile = bad }).Run());

        Assert.Contains("question x1", error.Message);
        Assert.Contains("answer_start 0", error.Message);
    }

    [Fact]
    public void ReaderTraining_WithEmptyDataset_FailsClearly()
    {
        string empty = Path.Combine(setup.Folder, "empty-" + Guid.NewGuid().ToString("N")[..8] + ".json");
        File.WriteAllText(empty, """{"version":"v","data":[]}""");

        var error = Assert.Throws<ArgumentException>(() =>
            new ReaderTrainer(ReaderOptions(setup.TokenizerFolder, NewFolder("never")) with { TrainFile = empty }).Run());

        Assert.Contains("no questions", error.Message);
    }

    [Fact]
    public void MaskedLm_WithUnreadableCorpus_FailsBeforeTraining()
    {
        string broken = Path.Combine(setup.Folder, "broken-" + Guid.NewGuid().ToString("N")[..8] + ".jsonl");
        File.WriteAllText(broken, "{\"text\": \"좋다\"}\nnot json\n");

        var trainer = new MlmTrainer(new MlmTrainingOptions
        {
            CorpusFiles = [broken], ConfigFile = setup.ConfigFile, TokenizerFolder = setup.TokenizerFolder,
            OutputFolder = NewFolder("never"), Device = "cpu",
        });

        var error = Assert.Throws<Mrc.Core.Data.DataFormatException>(() => trainer.Run());

        Assert.Equal(2, error.Line);
    }
}
