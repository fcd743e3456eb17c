namespace Mrc.Training.MaskedLm;

/// <summary>One masked-LM training example: input ids after masking and the labels (-100 where nothing is predicted).</summary>
public sealed record MaskedSequence(long[] InputIds, long[] Labels);

/// <summary>
/// BERT's masking: of the positions that are not special tokens, pick each with probability
/// <see cref="MaskProbability"/> (15%); of the picked, 80% become [MASK], 10% a random
/// non-special token, 10% stay as they are. Only picked positions carry a label.
/// </summary>
public sealed class MlmMasker(int vocabularySize, long maskId, IReadOnlySet<long> specialIds, int seed)
{
    public const long IgnoreLabel = -100;

    readonly Random random = new(seed);

    public double MaskProbability { get; init; } = 0.15;

    public MaskedSequence Mask(IReadOnlyList<long> ids)
    {
        var input = ids.ToArray();
        var labels = new long[input.Length];
        Array.Fill(labels, IgnoreLabel);
        for (int i = 0; i < input.Length; i++)
        {
            if (specialIds.Contains(input[i]) || random.NextDouble() >= MaskProbability) continue;
            labels[i] = input[i];
            double action = random.NextDouble();
            if (action < 0.8) input[i] = maskId;
            else if (action < 0.9) input[i] = RandomOrdinaryToken();
        }
        return new MaskedSequence(input, labels);
    }

    long RandomOrdinaryToken()
    {
        while (true)
        {
            long id = random.Next(vocabularySize);
            if (!specialIds.Contains(id)) return id;
        }
    }
}
