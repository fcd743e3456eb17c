namespace Mrc.Training.MaskedLm;

/// <summary>
/// A masked-LM run: continue from an existing model folder (task-adaptive pre-training), or start
/// from a config.json and a tokenizer folder (pre-training a small model from scratch).
/// </summary>
public sealed record MlmTrainingOptions
{
    public required IReadOnlyList<string> CorpusFiles { get; init; }
    public required string OutputFolder { get; init; }
    /// <summary>An HF model folder to continue from (config, weights, tokenizer).</summary>
    public string? ModelFolder { get; init; }
    /// <summary>With <see cref="TokenizerFolder"/>, a config.json for a new model.</summary>
    public string? ConfigFile { get; init; }
    public string? TokenizerFolder { get; init; }
    public int MaxLength { get; init; } = 128;
    public int BatchSize { get; init; } = 32;
    public double Epochs { get; init; } = 1;
    public double LearningRate { get; init; } = 5e-5;
    public double WarmupRatio { get; init; } = 0.06;
    public double WeightDecay { get; init; } = 0.01;
    public double MaxGradNorm { get; init; } = 1.0;
    public int Seed { get; init; } = 42;
    public string? Device { get; init; }
    public int LogEverySteps { get; init; } = 20;
    /// <summary>The command line that started the run, recorded in the model card.</summary>
    public string? CommandLine { get; init; }

    public void Validate()
    {
        if (CorpusFiles.Count == 0) throw new ArgumentException("at least one --corpus file is needed");
        if ((ModelFolder is null) == (ConfigFile is null))
            throw new ArgumentException("give either --model DIR (continue pre-training) or --config FILE with --tokenizer DIR (a new model)");
        if (ConfigFile is not null && TokenizerFolder is null) throw new ArgumentException("--config needs --tokenizer DIR with the vocabulary");
        if (MaxLength is < 8 or > 4096) throw new ArgumentException("--max-length must be between 8 and 4096");
        if (BatchSize < 1) throw new ArgumentException("--batch-size must be at least 1");
        if (Epochs <= 0) throw new ArgumentException("--epochs must be positive");
        if (LearningRate is <= 0 or > 1) throw new ArgumentException("--learning-rate must be in (0, 1]");
    }
}
