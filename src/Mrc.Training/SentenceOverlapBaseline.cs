using Mrc.Core.Data;

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
        foreach (var sentence in Sentences(context))
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

    /// <summary>Sentences end at '.', '?' or '!' followed by whitespace, or at a line break.</summary>
    static IEnumerable<string> Sentences(string text)
    {
        int start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            bool end = text[i] == '\n' || (text[i] is '.' or '?' or '!' && (i + 1 == text.Length || char.IsWhiteSpace(text[i + 1])));
            if (!end) continue;
            var sentence = text[start..(i + 1)].Trim();
            if (sentence.Length > 0) yield return sentence;
            start = i + 1;
        }
        var rest = text[start..].Trim();
        if (rest.Length > 0) yield return rest;
    }
}
