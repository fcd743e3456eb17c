using Lucene.Net.Analysis;
using Lucene.Net.Analysis.TokenAttributes;

namespace Mrc.Retrieval.Indexing;

/// <summary>
/// A field's tokens analysed ahead of time, on another thread, and replayed to the index writer as
/// a token stream. The words field's morphological analysis costs more than everything else the
/// writer does for a passage; done beside the writer, a build uses a second core while the
/// passages still reach the writer, and get their document numbers, in corpus order.
/// </summary>
internal sealed class RecordedTokens
{
    readonly List<(string Term, int Start, int End, int PositionIncrement)> tokens = [];

    /// <summary>The tokens <paramref name="analyzer"/> gives <paramref name="text"/> in <paramref name="field"/> (on the calling thread).</summary>
    public static RecordedTokens Of(Analyzer analyzer, string field, string text)
    {
        var recorded = new RecordedTokens();
        using var stream = analyzer.GetTokenStream(field, text);
        var term = stream.AddAttribute<ICharTermAttribute>();
        var offset = stream.AddAttribute<IOffsetAttribute>();
        var increment = stream.AddAttribute<IPositionIncrementAttribute>();
        stream.Reset();
        while (stream.IncrementToken()) recorded.tokens.Add((term.ToString(), offset.StartOffset, offset.EndOffset, increment.PositionIncrement));
        stream.End();
        return recorded;
    }

    /// <summary>A new stream over the recorded tokens, for one field of one document.</summary>
    public TokenStream Replay() => new Replaying(tokens);

    sealed class Replaying : TokenStream
    {
        readonly List<(string Term, int Start, int End, int PositionIncrement)> tokens;
        readonly ICharTermAttribute term;
        readonly IOffsetAttribute offset;
        readonly IPositionIncrementAttribute increment;
        int next;

        public Replaying(List<(string Term, int Start, int End, int PositionIncrement)> tokens)
        {
            this.tokens = tokens;
            term = AddAttribute<ICharTermAttribute>();
            offset = AddAttribute<IOffsetAttribute>();
            increment = AddAttribute<IPositionIncrementAttribute>();
        }

        public override bool IncrementToken()
        {
            if (next == tokens.Count) return false;
            ClearAttributes();
            var token = tokens[next++];
            term.SetEmpty().Append(token.Term);
            offset.SetOffset(token.Start, token.End);
            increment.PositionIncrement = token.PositionIncrement;
            return true;
        }

        public override void Reset()
        {
            base.Reset();
            next = 0;
        }
    }
}
