using Mrc.Core.Data;
using Mrc.Reading.Inference;
using Mrc.Reading.Tokenization;

namespace Mrc.Training.ReaderTraining;

/// <summary>A training window with its answer labels: token positions of the answer, or 0 ([CLS]) for both when the window does not hold it.</summary>
public sealed record TrainingWindow(FeatureWindow Window, int StartPosition, int EndPosition, int ExampleIndex);

/// <summary>
/// Training windows exactly as the reader windows its inputs (<see cref="QaFeatures"/>), labelled as
/// Hugging Face's <c>prepare_train_features</c> does: the first and last context tokens covering
/// the first gold answer, or [CLS] when the answer is not wholly inside the window.
/// </summary>
public static class QaTrainingFeatures
{
    /// <summary>Checks every example before any training starts, naming the first bad one.</summary>
    public static void Validate(IReadOnlyList<QuestionExample> examples, string source)
    {
        if (examples.Count == 0) throw new ArgumentException($"{source}: the dataset has no questions");
        foreach (var example in examples)
        {
            if (example.Context is null)
                throw new ArgumentException($"{source}: question {example.Id} has no context; training needs SQuAD/KorQuAD paragraphs");
            if (example.Answers.Count == 0) throw new ArgumentException($"{source}: question {example.Id} has no answer");
            var answer = example.Answers[0];
            int start = CharIndex(example.Context, answer.AnswerStart);
            if (answer.AnswerStart < 0 || start < 0 || start + answer.Text.Length > example.Context.Length
                || string.CompareOrdinal(example.Context, start, answer.Text, 0, answer.Text.Length) != 0)
                throw new ArgumentException(
                    $"{source}: question {example.Id}: answer \"{answer.Text}\" is not at answer_start {answer.AnswerStart} of its context");
        }
    }

    public static List<TrainingWindow> Build(WordPieceTokenizer tokenizer, IReadOnlyList<QuestionExample> examples, WindowSettings settings)
    {
        var result = new List<TrainingWindow>();
        for (int e = 0; e < examples.Count; e++)
        {
            var example = examples[e];
            var answer = example.Answers[0];
            int startChar = CharIndex(example.Context!, answer.AnswerStart);
            int endChar = startChar + answer.Text.Length;
            foreach (var window in QaFeatures.Prepare(tokenizer, example.Question, example.Context!, settings.MaxSeqLength, settings.DocStride, settings.MaxQueryLength))
            {
                var (start, end) = Label(window, startChar, endChar);
                result.Add(new TrainingWindow(window, start, end, e));
            }
        }
        return result;
    }

    static (int Start, int End) Label(FeatureWindow window, int startChar, int endChar)
    {
        int first = Array.FindIndex(window.OffsetMapping, o => o is not null);
        int last = Array.FindLastIndex(window.OffsetMapping, o => o is not null);
        if (first < 0 || window.OffsetMapping[first]!.Value.Start > startChar || window.OffsetMapping[last]!.Value.End < endChar)
            return (0, 0);
        int start = first;
        while (start <= last && window.OffsetMapping[start]!.Value.Start <= startChar) start++;
        int end = last;
        while (end >= first && window.OffsetMapping[end]!.Value.End >= endChar) end--;
        return (start - 1, end + 1);
    }

    /// <summary>
    /// KorQuAD's answer_start counts code points (Python string indices); .NET strings index UTF-16
    /// units. They differ only after a character outside the Basic Multilingual Plane.
    /// </summary>
    internal static int CharIndex(string text, int codePointIndex)
    {
        int units = 0;
        for (int points = 0; points < codePointIndex; points++)
        {
            if (units >= text.Length) return -1;
            units += char.IsHighSurrogate(text[units]) && units + 1 < text.Length && char.IsLowSurrogate(text[units + 1]) ? 2 : 1;
        }
        return units;
    }
}
