using Mrc.Core.Pipeline;
using Mrc.Core.Text;
using Mrc.Reading.Inference;

namespace Mrc.Reading.Pipeline;

/// <summary>The pipeline's reader over a model loaded in this process (`mrc predict`).</summary>
public sealed class InProcessReader(ReaderEngine engine, string model, string version, int longestAnswer) : IPassageReader
{
    public async Task<ReaderOutput> ReadAsync(
        string question, IReadOnlyList<RetrievedPassage> passages, ReadSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(passages);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate(longestAnswer);
        var inputs = passages.Select(p => new PassageInput(p.Id, p.Text, p.Score)).ToList();
        var answers = await engine.ReadAsync(question, inputs, settings, cancellationToken).ConfigureAwait(false);
        return new ReaderOutput(model, version, [.. answers.Select(a => ToNBest(a, inputs[a.PassageIndex].Text))]);
    }

    /// <summary>An engine answer with its offsets in code points, as every reader reports them.</summary>
    public static NBestAnswer ToNBest(ReaderAnswer answer, string passageText)
    {
        ArgumentNullException.ThrowIfNull(answer);
        return new NBestAnswer(answer.Text, answer.Probability, answer.Score, answer.PassageId,
            TextOffsets.ToCodePoints(passageText, answer.StartChar), TextOffsets.ToCodePoints(passageText, answer.EndChar));
    }
}
