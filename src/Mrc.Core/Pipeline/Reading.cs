namespace Mrc.Core.Pipeline;

/// <summary>
/// One answer of a read's n-best list. <see cref="StartChar"/> and <see cref="EndChar"/> are Unicode
/// code point offsets into the text of the passage <see cref="PassageId"/> (as Python indexes strings).
/// </summary>
public sealed record NBestAnswer(string Text, double Probability, float Score, string PassageId, int StartChar, int EndChar);

/// <summary>The answers of one read, best first, and the model version that gave them.</summary>
public sealed record ReaderOutput(string Model, string Version, IReadOnlyList<NBestAnswer> Answers)
{
    /// <summary>The best answer's text, or empty when the reader found none.</summary>
    public string BestAnswer => Answers.Count > 0 ? Answers[0].Text : "";
}

/// <summary>
/// The reader refused this one question (too long a question, too much passage text): the question
/// gets an empty answer with the reason, and the others go on.
/// </summary>
public sealed class QuestionRefusedException(string reason, Exception? inner = null) : Exception(reason, inner);

/// <summary>A reader the pipeline can use: a model loaded in-process, or a ReaderService over gRPC.</summary>
public interface IPassageReader
{
    /// <summary>Reads <paramref name="question"/> against at least one passage; <see cref="QuestionRefusedException"/> when it refuses this question.</summary>
    Task<ReaderOutput> ReadAsync(
        string question, IReadOnlyList<RetrievedPassage> passages, ReadSettings settings, CancellationToken cancellationToken);
}
