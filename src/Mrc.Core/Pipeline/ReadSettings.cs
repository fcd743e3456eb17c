namespace Mrc.Core.Pipeline;

/// <summary>How several passages are read.</summary>
public enum PassageMode
{
    /// <summary>Each passage read on its own; candidates of all passages compete by score.</summary>
    Separate,
    /// <summary>Passages joined into one context (the competition baseline) and read as one.</summary>
    Concat,
}

/// <summary>A read setting out of its range; the message names the setting and its range (gRPC InvalidArgument, CLI exit 2).</summary>
public sealed class InvalidReadSettingsException(string message) : ArgumentException(message);

/// <summary>
/// Decoding settings of one read, checked in one place for every caller (the gRPC service, `mrc
/// predict`, evaluation jobs) by <see cref="Validate"/>.
/// </summary>
/// <param name="Mode">How the passages are read.</param>
/// <param name="NBest">Answers returned (1..<see cref="MaxNBest"/>).</param>
/// <param name="MaxAnswerLength">Longest answer in tokens (HF max_answer_length).</param>
/// <param name="RetrieverWeight">Weight of the retriever score added to span scores (separate mode only).</param>
/// <param name="StripParticles">Remove one trailing Korean particle from each answer.</param>
public sealed record ReadSettings(
    PassageMode Mode = PassageMode.Separate,
    int NBest = 5,
    int MaxAnswerLength = 30,
    float RetrieverWeight = 0,
    bool StripParticles = false)
{
    /// <summary>Candidates pooled before the softmax (HF n_best_size), and so the most answers a read returns.</summary>
    public const int MaxNBest = 20;

    /// <summary>These settings, or <see cref="InvalidReadSettingsException"/> naming the first one out of range.</summary>
    /// <param name="longestAnswer">The longest answer the reader can give, in tokens (its window length).</param>
    public ReadSettings Validate(int longestAnswer = int.MaxValue)
    {
        if (!Enum.IsDefined(Mode)) throw new InvalidReadSettingsException($"mode {(int)Mode} is not separate or concat.");
        if (NBest is < 1 or > MaxNBest) throw new InvalidReadSettingsException($"n_best must be in 1..{MaxNBest}, not {NBest}.");
        if (MaxAnswerLength < 1 || MaxAnswerLength > longestAnswer)
            throw new InvalidReadSettingsException(longestAnswer == int.MaxValue
                ? $"max_answer_length must be ≥ 1, not {MaxAnswerLength}."
                : $"max_answer_length must be in 1..{longestAnswer}, not {MaxAnswerLength}.");
        if (!float.IsFinite(RetrieverWeight) || RetrieverWeight < 0)
            throw new InvalidReadSettingsException($"retriever_weight must be a finite number ≥ 0, not {RetrieverWeight}.");
        if (Mode == PassageMode.Concat && RetrieverWeight > 0)
            throw new InvalidReadSettingsException("retriever_weight applies only when passages are read one by one (SEPARATE mode).");
        return this;
    }
}
