namespace Mrc.Training.MaskedLm;

/// <summary>
/// Packs tokenized texts end to end into sequences of exactly <c>maxLength</c> tokens
/// ([CLS] + block + [SEP]), as Hugging Face's run_mlm.py groups texts: no padding is wasted, and a
/// text may continue into the next sequence. The last, shorter remainder is dropped.
/// </summary>
public static class SequencePacker
{
    public static IEnumerable<long[]> Pack(IEnumerable<IReadOnlyList<long>> tokenizedTexts, int maxLength, long clsId, long sepId)
    {
        if (maxLength < 3) throw new ArgumentOutOfRangeException(nameof(maxLength), "a sequence needs room for [CLS], a token and [SEP]");
        int block = maxLength - 2;
        var buffer = new List<long>(block * 2);
        foreach (var ids in tokenizedTexts)
        {
            buffer.AddRange(ids);
            buffer.Add(sepId); // texts stay separated inside a block
            while (buffer.Count >= block)
            {
                var sequence = new long[maxLength];
                sequence[0] = clsId;
                buffer.CopyTo(0, sequence, 1, block);
                sequence[^1] = sepId;
                buffer.RemoveRange(0, block);
                yield return sequence;
            }
        }
    }
}
