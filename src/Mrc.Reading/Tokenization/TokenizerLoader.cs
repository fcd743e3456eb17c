using System.Text.Json;

namespace Mrc.Reading.Tokenization;

/// <summary>Picks and loads the reader's tokenizer from the files of a model folder.</summary>
public static class TokenizerLoader
{
    /// <summary>
    /// <c>tokenizer.json</c> first (its model type decides: WordPiece, Unigram or BPE), as Hugging Face's
    /// fast tokenizers load it; else <c>sentencepiece.bpe.model</c> (XLM-R), <c>vocab.json</c> +
    /// <c>merges.txt</c> (RoBERTa), or <c>vocab.txt</c> (BERT), each with <c>tokenizer_config.json</c>.
    /// </summary>
    /// <exception cref="FileNotFoundException">No tokenizer files.</exception>
    /// <exception cref="InvalidDataException">A tokenizer file is corrupt; the message names it.</exception>
    /// <exception cref="NotSupportedException">A tokenizer kind or option this reader does not implement.</exception>
    public static IReaderTokenizer FromFolder(string folder)
    {
        var json = Path.Combine(folder, "tokenizer.json");
        if (File.Exists(json))
        {
            return ModelType(json) switch
            {
                "WordPiece" => WordPieceTokenizer.FromFolder(folder),
                "Unigram" => Malformed(json, () => SentencePieceTokenizer.FromTokenizerJson(json, TokenizerConfig.Read(folder))),
                "BPE" => Malformed(json, () => ByteLevelBpeTokenizer.FromTokenizerJson(json, TokenizerConfig.Read(folder))),
                var other => throw new NotSupportedException($"{json}: model type {other} is not supported (WordPiece, Unigram, BPE)."),
            };
        }
        var sentencePiece = Path.Combine(folder, "sentencepiece.bpe.model");
        if (File.Exists(sentencePiece)) return SentencePieceTokenizer.FromSentencePieceModel(sentencePiece);
        if (File.Exists(Path.Combine(folder, "vocab.json")) || File.Exists(Path.Combine(folder, "merges.txt")))
            return ByteLevelBpeTokenizer.FromVocabAndMerges(folder, TokenizerConfig.Read(folder));
        if (File.Exists(Path.Combine(folder, "vocab.txt"))) return WordPieceTokenizer.FromFolder(folder);
        throw new FileNotFoundException(
            $"{folder}: no tokenizer files (tokenizer.json, sentencepiece.bpe.model, vocab.json + merges.txt, or vocab.txt).", json);
    }

    /// <summary>A field missing or of the wrong JSON kind is a corrupt file: say which.</summary>
    static IReaderTokenizer Malformed(string path, Func<IReaderTokenizer> load)
    {
        try
        {
            return load();
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or IndexOutOfRangeException)
        {
            throw new InvalidDataException($"{path}: malformed ({e.Message})", e);
        }
    }

    static string? ModelType(string path)
    {
        using var document = TokenizerJsonFile.Open(path);
        // HF writes "type" on every model; a file without it is taken as WordPiece, as before.
        return document.RootElement.TryGetProperty("model", out var model) && model.TryGetProperty("type", out var type)
            ? type.GetString()
            : "WordPiece";
    }
}
