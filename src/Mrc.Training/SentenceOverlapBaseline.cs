using Mrc.Core.Data;
using Mrc.Training.Text;

namespace Mrc.Training;

/// <summary>
/// A trivial reader for scale: answer with the context sentence that shares the most character
/// bigrams with the question (bigrams, because Korean particles are glued to words). Ties go to
/// the earlier sentence. It needs no training, so any learnt reader should beat it clearly.
/// </summary>
public static class SentenceOverlapBaseline
{
    public static string Answer(string question, string context)
    {
        var questionBigrams = Bigrams(question);
        string best = "";
        int bestOverlap = -1;
        foreach (var sentence in SentenceSpans.Find(context).Select(s => context.Substring(s.Start, s.Length)))
        {
            int overlap = Bigrams(sentence).Count(questionBigrams.Contains);
            if (overlap > bestOverlap)
            {
                best = sentence;
                bestOverlap = overlap;
            }
        }
        return best;
    }

    public static Dictionary<string, string> Predict(IEnumerable<QuestionExample> examples) =>
        examples.ToDictionary(e => e.Id, e => Answer(e.Question, e.Context ?? ""), StringComparer.Ordinal);

    static HashSet<string> Bigrams(string text)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var word in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            for (int i = 0; i + 1 < word.Length; i++) set.Add(word.Substring(i, 2));
        return set;
    }
}
