using System.Globalization;
using Mrc.Training.MaskedLm;
using Mrc.Training.ReaderTraining;

namespace Mrc.Training.Stages;

/// <summary>
/// The one mapping between a stage's configuration keys and the trainers' options, both ways:
/// <c>Apply</c> sets an option from a key, <c>Keys</c> reads every key back (defaults included)
/// for the saved <c>run.yaml</c>.
/// </summary>
internal static class StageOptions
{
    public static ReaderTrainingOptions Apply(ReaderTrainingOptions o, string key, object? v) => key switch
    {
        "train" => o with { TrainFile = (string)v! },
        "validation" => o with { ValidationFile = (string?)v },
        "max_seq_length" => o with { MaxSeqLength = Int(v) },
        "doc_stride" => o with { DocStride = Int(v) },
        "max_query_length" => o with { MaxQueryLength = Int(v) },
        "batch_size" => o with { BatchSize = Int(v) },
        "gradient_accumulation" => o with { GradientAccumulation = Int(v) },
        "epochs" => o with { Epochs = (double)v! },
        "max_steps" => o with { MaxSteps = Int(v) },
        "learning_rate" => o with { LearningRate = (double)v! },
        "warmup_ratio" => o with { WarmupRatio = (double)v! },
        "weight_decay" => o with { WeightDecay = (double)v! },
        "max_grad_norm" => o with { MaxGradNorm = (double)v! },
        "curriculum" => o with { Curriculum = (bool)v! },
        "eval_steps" => o with { EvaluateEverySteps = Int(v) },
        "save_steps" => o with { CheckpointEverySteps = Int(v) },
        "seed" => o with { Seed = Int(v) },
        "log_steps" => o with { LogEverySteps = Int(v) },
        _ => throw new InvalidOperationException($"'{key}' is not a reader stage setting"),
    };

    public static IEnumerable<(string Key, object? Value)> Keys(ReaderTrainingOptions o) =>
    [
        ("train", o.TrainFile), ("validation", o.ValidationFile), ("max_seq_length", o.MaxSeqLength),
        ("doc_stride", o.DocStride), ("max_query_length", o.MaxQueryLength), ("batch_size", o.BatchSize),
        ("gradient_accumulation", o.GradientAccumulation), ("epochs", o.Epochs), ("max_steps", o.MaxSteps),
        ("learning_rate", o.LearningRate), ("warmup_ratio", o.WarmupRatio), ("weight_decay", o.WeightDecay),
        ("max_grad_norm", o.MaxGradNorm), ("curriculum", o.Curriculum), ("eval_steps", o.EvaluateEverySteps),
        ("save_steps", o.CheckpointEverySteps), ("seed", o.Seed), ("log_steps", o.LogEverySteps),
    ];

    public static MlmTrainingOptions Apply(MlmTrainingOptions o, string key, object? v) => key switch
    {
        "corpus" => o with { CorpusFiles = (IReadOnlyList<string>)v! },
        "max_length" => o with { MaxLength = Int(v) },
        "batch_size" => o with { BatchSize = Int(v) },
        "epochs" => o with { Epochs = (double)v! },
        "learning_rate" => o with { LearningRate = (double)v! },
        "warmup_ratio" => o with { WarmupRatio = (double)v! },
        "weight_decay" => o with { WeightDecay = (double)v! },
        "max_grad_norm" => o with { MaxGradNorm = (double)v! },
        "seed" => o with { Seed = Int(v) },
        "log_steps" => o with { LogEverySteps = Int(v) },
        _ => throw new InvalidOperationException($"'{key}' is not a masked-LM stage setting"),
    };

    public static IEnumerable<(string Key, object? Value)> Keys(MlmTrainingOptions o) =>
    [
        ("corpus", o.CorpusFiles), ("max_length", o.MaxLength), ("batch_size", o.BatchSize), ("epochs", o.Epochs),
        ("learning_rate", o.LearningRate), ("warmup_ratio", o.WarmupRatio), ("weight_decay", o.WeightDecay),
        ("max_grad_norm", o.MaxGradNorm), ("seed", o.Seed), ("log_steps", o.LogEverySteps),
    ];

    static int Int(object? v) => checked((int)System.Convert.ToInt64(v, CultureInfo.InvariantCulture));
}
