namespace Mrc.Training.Configuration;

/// <summary>What a key's value must be.</summary>
public enum KeyType
{
    Text,
    WholeNumber,
    Number,
    Boolean,
    /// <summary>An existing file; relative paths are taken from the config file's folder.</summary>
    File,
    /// <summary>One or more existing files (a YAML list, or a single path).</summary>
    FileList,
    /// <summary>Zero or more words (a YAML list, or a single value), e.g. the run's tags.</summary>
    TextList,
    /// <summary>An existing folder.</summary>
    Folder,
    /// <summary>A folder the run writes (it may not exist yet).</summary>
    OutputFolder,
}

/// <summary>The values a number may take: [Min, Max], or (Min, Max] when <see cref="MinExclusive"/>.</summary>
public sealed record KeyRange(double Min, double Max, bool MinExclusive = false)
{
    public bool Contains(double value) => (MinExclusive ? value > Min : value >= Min) && value <= Max;

    public override string ToString() => Max >= int.MaxValue
        ? (MinExclusive ? $"greater than {Min}" : $"at least {Min}")
        : $"in {(MinExclusive ? "(" : "[")}{Min}, {Max}]";
}

/// <summary>Which stages a key means something to.</summary>
public enum KeyTask { Both, Reader, Mlm }

/// <summary>
/// One key of a run configuration. <see cref="RunLevel"/> keys describe the whole run (start model,
/// output, device); the others are stage settings: given at the top they are every stage's default,
/// given inside a stage they apply to that stage only.
/// </summary>
public sealed record RunKey(string Name, KeyType Type, KeyTask Task, bool RunLevel, string Description, KeyRange? Range = null, string? FlagName = null)
{
    /// <summary>
    /// The command-line flag that sets this key (<c>learning_rate</c> → <c>--learning-rate</c>), or
    /// the flag <c>mrc train reader</c> already has for it (<c>tracking.name</c> → <c>--run-name</c>).
    /// </summary>
    public string Flag => FlagName ?? "--" + Name.Replace('_', '-');
}

/// <summary>
/// Every key a run configuration may hold: one per flag of <c>mrc train reader</c> and
/// <c>mrc train mlm</c>, in snake_case, plus the run's shape (<c>stages</c>, <c>mix</c>) and its
/// record in the run store (the <c>tracking:</c> section, keys <c>tracking.KEY</c>). The table
/// drives the YAML reader's checks, the <c>mrc train</c> flags and <c>--set</c>.
/// </summary>
public static class RunKeys
{
    public const string Stages = "stages";
    public const string Mix = "mix";
    public const string Tracking = "tracking";
    public const string RunsFolder = Tracking + ".runs_dir";
    public const string RunName = Tracking + ".name";
    public const string Tags = Tracking + ".tags";

    // Integer keys become int options.
    static readonly KeyRange AtLeast0 = new(0, int.MaxValue);
    static readonly KeyRange AtLeast1 = new(1, int.MaxValue);
    static readonly KeyRange Positive = new(0, double.MaxValue, MinExclusive: true);

    public static readonly IReadOnlyList<RunKey> All =
    [
        // The run as a whole.
        new("model", KeyType.Folder, KeyTask.Both, true, "Start model: an HF model folder (an encoder, a QA model, or config.json + vocabulary only)."),
        new("model_config", KeyType.File, KeyTask.Both, true, "Start a fresh model from this config.json (with tokenizer) instead of a model folder."),
        new("tokenizer", KeyType.Folder, KeyTask.Both, true, "Folder with vocab.txt for a fresh model (with model_config)."),
        new("out", KeyType.OutputFolder, KeyTask.Both, true, "Output folder of the last stage, e.g. a model-repository version models/NAME/VERSION."),
        new("head", KeyType.Text, KeyTask.Reader, true, "QA head on the encoder (linear by default)."),
        new("device", KeyType.Text, KeyTask.Both, true, "auto, cpu, cuda or cuda:N."),
        new("resume", KeyType.Boolean, KeyTask.Reader, true, "Continue each reader stage from its checkpoint (OUT.checkpoint) if there is one."),
        new(Mix, KeyType.Boolean, KeyTask.Reader, true, "Train once on the union of the stages' training files (shuffled) instead of stage after stage."),
        // The run's record in the run store: one run per stage, named RUN_NAME/STAGE.
        new(RunsFolder, KeyType.OutputFolder, KeyTask.Both, true, "Run store each stage is recorded in (default .local/runs in the current folder).", FlagName: "--runs-dir"),
        new(RunName, KeyType.Text, KeyTask.Both, true, "The run's name; each stage's run is named NAME/STAGE (default: the config file's name).", FlagName: "--run-name"),
        new(Tags, KeyType.TextList, KeyTask.Both, true, "Tags of every stage's run; --tag repeated.", FlagName: "--tag"),
        // Stage settings.
        new("name", KeyType.Text, KeyTask.Both, false, "The stage's name (its folder and its label in progress lines)."),
        new("task", KeyType.Text, KeyTask.Both, false, "reader (extractive QA fine-tuning, the default) or mlm (masked-LM pre-training)."),
        new("train", KeyType.File, KeyTask.Reader, false, "KorQuAD/SQuAD JSON (or .jsonl with contexts) to train on."),
        new("validation", KeyType.File, KeyTask.Reader, false, "Held-out KorQuAD/SQuAD JSON scored with the official EM/F1; the best model by F1 is kept."),
        new("corpus", KeyType.FileList, KeyTask.Mlm, false, "Text files for masked-LM: plain text, .jsonl, KorQuAD/SQuAD .json contexts, KLUE dev files."),
        new("max_seq_length", KeyType.WholeNumber, KeyTask.Reader, false, "Tokens per window.", new(16, 4096)),
        new("doc_stride", KeyType.WholeNumber, KeyTask.Reader, false, "Overlap of consecutive windows, in tokens.", AtLeast0),
        new("max_query_length", KeyType.WholeNumber, KeyTask.Reader, false, "Question tokens kept.", AtLeast1),
        new("max_length", KeyType.WholeNumber, KeyTask.Mlm, false, "Tokens per packed masked-LM sequence.", new(8, 4096)),
        new("batch_size", KeyType.WholeNumber, KeyTask.Both, false, "Windows (or sequences) per batch.", AtLeast1),
        new("gradient_accumulation", KeyType.WholeNumber, KeyTask.Reader, false, "Batches per optimizer step.", AtLeast1),
        new("epochs", KeyType.Number, KeyTask.Both, false, "Passes over the training data (fractions allowed).", Positive),
        new("max_steps", KeyType.WholeNumber, KeyTask.Reader, false, "Stop after this many optimizer steps (0: all epochs).", AtLeast0),
        new("learning_rate", KeyType.Number, KeyTask.Both, false, "Peak learning rate of AdamW.", new(0, 1, MinExclusive: true)),
        new("warmup_ratio", KeyType.Number, KeyTask.Both, false, "Share of steps warming up linearly before the linear decay.", new(0, 1)),
        new("weight_decay", KeyType.Number, KeyTask.Both, false, "AdamW weight decay (none on biases and LayerNorm).", AtLeast0),
        new("max_grad_norm", KeyType.Number, KeyTask.Both, false, "Gradient clipping norm.", Positive),
        new("curriculum", KeyType.Boolean, KeyTask.Reader, false, "Train shortest contexts first, without shuffling."),
        new("eval_steps", KeyType.WholeNumber, KeyTask.Reader, false, "Evaluate (and keep the best model) every N steps; 0: at the end.", AtLeast0),
        new("save_steps", KeyType.WholeNumber, KeyTask.Reader, false, "Save a resumable checkpoint every N steps.", AtLeast0),
        new("seed", KeyType.WholeNumber, KeyTask.Both, false, "Seed of initialisation, shuffling and dropout.", AtLeast0),
        new("log_steps", KeyType.WholeNumber, KeyTask.Both, false, "Report progress every N steps.", AtLeast1),
    ];

    static readonly Dictionary<string, RunKey> ByName = All.ToDictionary(k => k.Name, StringComparer.Ordinal);

    public static RunKey? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>"unknown key 'lerning_rate'" with the closest known key as a hint.</summary>
    public static string Unknown(string name)
    {
        var closest = All.Select(k => k.Name).Append(Stages).Append(Tracking)
            .MinBy(k => EditDistance(k, name));
        // Short names are close to many keys; only suggest what is plausibly a typo.
        return closest is not null && EditDistance(closest, name) <= Math.Max(1, name.Length / 3)
            ? $"unknown key '{name}' (did you mean '{closest}'?)"
            : $"unknown key '{name}' (see docs/training.md for the keys)";
    }

    static int EditDistance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }
}
