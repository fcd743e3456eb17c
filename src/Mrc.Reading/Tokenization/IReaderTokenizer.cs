namespace Mrc.Reading.Tokenization;

/// <summary>
/// What the reader needs from a tokenizer: token ids with their spans in the original text, and how
/// a question–context pair is framed with special tokens.
/// </summary>
public interface IReaderTokenizer
{
    /// <summary>Token ids and original-text spans (UTF-16, end exclusive) of <paramref name="text"/>, without special tokens.</summary>
    TokenizedText Encode(string text);

    /// <summary>How a pair of sequences is framed: the special tokens and the token type of the second sequence.</summary>
    PairTemplate Pair { get; }

    /// <summary>The id that fills a window up to the batch's length.</summary>
    int PadId { get; }

    /// <summary>One more than the largest id the tokenizer can produce.</summary>
    int VocabularySize { get; }

    /// <summary>The token text of <paramref name="id"/> (for diagnostics).</summary>
    string IdToToken(int id);
}

/// <summary>
/// The special tokens around a pair of sequences as Hugging Face's post-processors lay them out:
/// BERT <c>[CLS] A [SEP] B [SEP]</c> with token type 1 for B; RoBERTa and XLM-R
/// <c>&lt;s&gt; A &lt;/s&gt;&lt;/s&gt; B &lt;/s&gt;</c> with every token type 0.
/// </summary>
public sealed record PairTemplate(int StartId, int SeparatorId, int SeparatorsBetween, int SecondTypeId)
{
    public static PairTemplate Bert(int clsId, int sepId) => new(clsId, sepId, SeparatorsBetween: 1, SecondTypeId: 1);

    public static PairTemplate Roberta(int bosId, int eosId) => new(bosId, eosId, SeparatorsBetween: 2, SecondTypeId: 0);

    /// <summary>Whether the second sequence gets its own token type (BERT) or shares type 0 (RoBERTa).</summary>
    public bool UsesTokenTypeIds => SecondTypeId != 0;

    /// <summary>Special tokens in a pair: the start, the separators between and the final one.</summary>
    public int SpecialTokenCount => 1 + SeparatorsBetween + 1;

    /// <summary>
    /// The template a model with <paramref name="typeVocabSize"/> token types can take: a model with one
    /// type (RoBERTa, XLM-R) has no embedding for type 1, so every token gets type 0.
    /// </summary>
    public PairTemplate ForTypeVocabulary(int typeVocabSize) => typeVocabSize < 2 ? this with { SecondTypeId = 0 } : this;
}
