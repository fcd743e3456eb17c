namespace Mrc.Training.ReaderTraining;

/// <summary>Extractive QA fine-tuning of an encoder folder on SQuAD/KorQuAD training data.</summary>
public sealed record ReaderTrainingOptions
{
    public required string TrainFile { get; init; }
    public string? ValidationFile { get; init; }
    /// <summary>
    /// HF model folder: an encoder (e.g. after TAPT) or a QA model to continue; with only config.json
    /// and tokenizer files (no weights) the model starts from a fresh initialisation.
    /// </summary>
    public required string ModelFolder { get; init; }
    /// <summary>The trained model's folder, e.g. a model-repository version <c>models/NAME/VERSION</c>; holds the best model.</summary>
    public required string OutputFolder { get; init; }
    public int MaxSeqLength { get; init; } = 384;
    public int DocStride { get; init; } = 128;
    public int MaxQueryLength { get; init; } = 64;
    public int BatchSize { get; init; } = 16;
    public int GradientAccumulation { get; init; } = 1;
    public double Epochs { get; init; } = 2;
    public double LearningRate { get; init; } = 5e-5;
    public double WarmupRatio { get; init; } = 0.1;
    public double WeightDecay { get; init; } = 0.01;
    public double MaxGradNorm { get; init; } = 1.0;
    /// <summary>Sort training windows by context length, shortest first, and do not shuffle.</summary>
    public bool Curriculum { get; init; }
    public int Seed { get; init; } = 42;
    public string? Device { get; init; }
    /// <summary>Evaluate on the validation file every this many optimizer steps (0: at the end only).</summary>
    public int EvaluateEverySteps { get; init; }
    /// <summary>Stop after this many optimizer steps (0: run all epochs); for budgeted comparisons.</summary>
    public int MaxSteps { get; init; }
    public int LogEverySteps { get; init; } = 10;
    /// <summary>Continue from the checkpoint in <see cref="CheckpointFolder"/>, if there is one.</summary>
    public bool Resume { get; init; }
    /// <summary>Where resumable state (weights, optimizer, step) is kept; beside the output folder by default.</summary>
    public string CheckpointFolder => CheckpointFolderOverride ?? OutputFolder.TrimEnd(Path.DirectorySeparatorChar) + ".checkpoint";
    public string? CheckpointFolderOverride { get; init; }
    /// <summary>Save a resumable checkpoint every this many steps (0: only at evaluations and the end).</summary>
    public int CheckpointEverySteps { get; init; }
    public string? CommandLine { get; init; }
    /// <summary>
    /// The QA head: "linear" (Hugging Face's qa_outputs, the default) or "conv" (convolutions over the last
    /// hidden states); a run configuration's <c>head</c> key.
    /// </summary>
    public string Head { get; init; } = "linear";

    public void Validate()
    {
        if (MaxSeqLength is < 16 or > 4096) throw new ArgumentException("--max-seq-length must be between 16 and 4096");
        if (DocStride < 0 || DocStride >= MaxSeqLength) throw new ArgumentException("--doc-stride must be in [0, max-seq-length)");
        if (BatchSize < 1) throw new ArgumentException("--batch-size must be at least 1");
        if (GradientAccumulation < 1) throw new ArgumentException("--gradient-accumulation must be at least 1");
        if (Epochs <= 0) throw new ArgumentException("--epochs must be positive");
        if (LearningRate is <= 0 or > 1) throw new ArgumentException("--learning-rate must be in (0, 1]");
        if (!File.Exists(TrainFile)) throw new FileNotFoundException($"training file not found: {TrainFile}", TrainFile);
        if (ValidationFile is not null && !File.Exists(ValidationFile))
            throw new FileNotFoundException($"validation file not found: {ValidationFile}", ValidationFile);
        if (!Mrc.Reading.Modeling.QaHeads.All.Contains(Head))
            throw new ArgumentException($"--head must be one of {string.Join(", ", Mrc.Reading.Modeling.QaHeads.All)}, not '{Head}'");
        if (!Directory.Exists(ModelFolder)) throw new DirectoryNotFoundException($"model folder not found: {ModelFolder}");
    }
}
