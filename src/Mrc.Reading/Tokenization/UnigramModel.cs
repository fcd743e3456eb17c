namespace Mrc.Reading.Tokenization;

/// <summary>
/// Unigram language-model segmentation (sentencepiece's <c>unigram::Model::Encode</c>, Hugging
/// Face's <c>Unigram::encode</c>): the Viterbi path of pieces with the highest total log-probability.
/// A character no piece starts with becomes the unknown piece with score min − 10, and runs of
/// unknown pieces are fused into one (as both libraries return them).
/// </summary>
public sealed class UnigramModel
{
    /// <summary>sentencepiece's kUnkPenalty.</summary>
    const float UnknownPenalty = 10f;

    readonly Dictionary<string, int> pieceIds;
    readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> lookup;
    readonly double[] scores;
    readonly int maxPieceLength;
    readonly double unknownScore;

    /// <param name="pieces">Piece text and score by id; null text for ids that never match (control, unknown).</param>
    /// <param name="unknownId">The id of the unknown piece.</param>
    /// <param name="singlePrecision">
    /// Sum path scores in 32-bit floats as sentencepiece does (Hugging Face sums in 64 bits; near-ties can go either way).
    /// </param>
    /// <param name="minScore">The lowest score that the unknown penalty is taken from.</param>
    public UnigramModel(IReadOnlyList<(string? Piece, double Score)> pieces, int unknownId, bool singlePrecision, double minScore)
    {
        ArgumentNullException.ThrowIfNull(pieces);
        pieceIds = new Dictionary<string, int>(StringComparer.Ordinal);
        scores = new double[pieces.Count];
        for (var id = 0; id < pieces.Count; id++)
        {
            var (piece, score) = pieces[id];
            scores[id] = score;
            if (string.IsNullOrEmpty(piece)) continue;
            pieceIds[piece] = id;
            maxPieceLength = Math.Max(maxPieceLength, piece.Length);
        }
        lookup = pieceIds.GetAlternateLookup<ReadOnlySpan<char>>();
        UnknownId = unknownId;
        SinglePrecision = singlePrecision;
        unknownScore = singlePrecision ? (float)minScore - UnknownPenalty : minScore - UnknownPenalty;
    }

    public int UnknownId { get; }

    public bool SinglePrecision { get; }

    /// <summary>Pieces of <paramref name="text"/> as (id, start, end) in UTF-16 indices of <paramref name="text"/>.</summary>
    public List<(int Id, int Start, int End)> Encode(ReadOnlySpan<char> text)
    {
        var size = text.Length;
        var bestScore = new double[size + 1];
        var bestStart = new int[size + 1];
        var bestId = new int[size + 1];
        Array.Fill(bestStart, -1);
        var start = 0;
        while (start < size)
        {
            var charLength = char.IsHighSurrogate(text[start]) && start + 1 < size && char.IsLowSurrogate(text[start + 1]) ? 2 : 1;
            var scoreHere = bestScore[start];
            var hasSingleCharPiece = false;
            var longest = Math.Min(maxPieceLength, size - start);
            for (var length = 1; length <= longest; length++)
            {
                var end = start + length;
                // Pieces are whole code points: never end between the halves of a surrogate pair.
                if (end < size && char.IsLowSurrogate(text[end]) && char.IsHighSurrogate(text[end - 1])) continue;
                if (!lookup.TryGetValue(text[start..end], out var id)) continue;
                Relax(end, id, scores[id]);
                if (length == charLength) hasSingleCharPiece = true;
            }
            if (!hasSingleCharPiece) Relax(start + charLength, UnknownId, unknownScore);
            start += charLength;

            void Relax(int end, int id, double score)
            {
                var candidate = SinglePrecision ? (float)score + (float)scoreHere : score + scoreHere;
                if (bestStart[end] != -1 && candidate <= bestScore[end]) return;
                bestScore[end] = candidate;
                bestStart[end] = start;
                bestId[end] = id;
            }
        }

        var pieces = new List<(int Id, int Start, int End)>();
        for (var end = size; end > 0; end = bestStart[end])
        {
            var id = bestId[end];
            var pieceStart = bestStart[end];
            if (id == UnknownId && pieces.Count > 0 && pieces[^1].Id == UnknownId)
            {
                pieces[^1] = (id, pieceStart, pieces[^1].End);
                continue;
            }
            pieces.Add((id, pieceStart, end));
        }
        pieces.Reverse();
        return pieces;
    }
}
