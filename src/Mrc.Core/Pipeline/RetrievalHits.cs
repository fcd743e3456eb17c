using Mrc.Core.Data;
using Mrc.Core.Text;

namespace Mrc.Core.Pipeline;

/// <summary>Which rule judged a question's retrieval: it depends on what the evaluation set gives.</summary>
public enum RetrievalRule
{
    /// <summary>The question has its gold paragraph (SQuAD/KorQuAD files, JSONL with "context").</summary>
    GoldContext,
    /// <summary>Open-domain: no gold paragraph, only answer texts.</summary>
    AnswerText,
}

/// <summary>
/// The one definition of a retrieval <b>hit</b>, used by `mrc retrieval eval` (recall@k, MRR),
/// `mrc predict --index` and the leaderboard's evaluation jobs, so that their recall is the same number.
/// <para>
/// With a gold paragraph, a passage is a hit when it holds a gold answer <i>where the question's
/// annotator found it</i>: the passage contains the whole gold paragraph, or it was cut from the gold
/// paragraph (its text is exactly the paragraph's text between its start and end offsets, as with a
/// corpus that holds the paragraph as a document) and its range covers a gold answer's span
/// [answer_start, answer_start + length). An answer without a position counts when such a piece
/// contains its text. Why not "contains the answer text": short answers (numbers, years, names) occur
/// in many unrelated passages, and a reader given one of those has not been given the evidence.
/// </para>
/// <para>
/// Without a gold paragraph (open-domain questions), a passage is a hit when it contains a gold answer
/// text, the only evidence there is. Texts are compared exactly (ordinal), offsets as UTF-16 indices of
/// the paragraph (KorQuAD's code-point answer_start is converted).
/// </para>
/// </summary>
public static class RetrievalHits
{
    public static RetrievalRule RuleFor(QuestionExample question)
    {
        ArgumentNullException.ThrowIfNull(question);
        return string.IsNullOrEmpty(question.Context) ? RetrievalRule.AnswerText : RetrievalRule.GoldContext;
    }

    /// <summary>The 1-based position of the first hit among <paramref name="passages"/>, or 0 when none is a hit.</summary>
    public static int FirstHitRank(IReadOnlyList<RetrievedPassage> passages, QuestionExample question)
    {
        ArgumentNullException.ThrowIfNull(passages);
        for (var i = 0; i < passages.Count; i++)
        {
            if (IsHit(passages[i], question)) return i + 1;
        }
        return 0;
    }

    public static bool IsHit(RetrievedPassage passage, QuestionExample question)
    {
        ArgumentNullException.ThrowIfNull(passage);
        ArgumentNullException.ThrowIfNull(question);
        var answers = question.Answers.Where(a => a.Text.Length > 0).ToList();
        var context = question.Context;
        if (string.IsNullOrEmpty(context))
            return answers.Any(a => passage.Text.Contains(a.Text, StringComparison.Ordinal));

        if (passage.Text.Contains(context, StringComparison.Ordinal)) return true;
        if (!IsCutFrom(passage, context)) return false;
        foreach (var answer in answers)
        {
            if (answer.AnswerStart < 0)
            {
                if (passage.Text.Contains(answer.Text, StringComparison.Ordinal)) return true;
                continue;
            }
            var start = TextOffsets.ToUtf16(context, answer.AnswerStart);
            if (passage.StartChar <= start && start + answer.Text.Length <= passage.EndChar) return true;
        }
        return false;
    }

    /// <summary>Whether the passage's text is the gold paragraph's text at the passage's offsets.</summary>
    static bool IsCutFrom(RetrievedPassage passage, string context) =>
        passage.StartChar >= 0
        && passage.EndChar <= context.Length
        && passage.EndChar - passage.StartChar == passage.Text.Length
        && context.AsSpan(passage.StartChar, passage.Text.Length).SequenceEqual(passage.Text);
}
