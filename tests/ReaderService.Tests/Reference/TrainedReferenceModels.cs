using System.Globalization;

namespace Mrc.Reader.Tests.Reference;

/// <summary>
/// Tokenizer models learnt once per test run by the reference programs on part a's contexts:
/// a SentencePiece Unigram model (spm_train) and a byte-level BPE (Hugging Face's trainer).
/// </summary>
internal static class TrainedReferenceModels
{
    /// <summary>SentencePiece pieces (spm_train's --vocab_size).</summary>
    public const int SentencePieceVocabulary = 4000;

    /// <summary>BPE merges kept of those the trainer learnt.</summary>
    public const int BpeMerges = 8000;

    static readonly string Root = CreateRoot();
    static readonly Lazy<Task<string>> SentencePieceModel = new(TrainSentencePieceAsync);
    static readonly Lazy<Task<string>> BpeFolder = new(TrainBpeAsync);

    /// <summary>The path of the trained <c>.model</c>.</summary>
    public static Task<string> SentencePieceAsync() => SentencePieceModel.Value;

    /// <summary>The folder with the trained tokenizer.json, vocab.json and merges.txt.</summary>
    public static Task<string> ByteLevelBpeAsync() => BpeFolder.Value;

    /// <summary>A fresh folder for one test's files (removed with the rest when the run ends).</summary>
    public static string Scratch() => Directory.CreateDirectory(Path.Combine(Root, Guid.NewGuid().ToString("N"))).FullName;

    static string CreateRoot()
    {
        var root = Directory.CreateTempSubdirectory("mrc-tokenizer-references-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
                // Left for the OS temp cleaner.
            }
        };
        return root;
    }

    static readonly Lazy<string> CorpusFile = new(() =>
    {
        var path = Path.Combine(Root, "part-a-contexts.txt");
        File.WriteAllLines(path, PartATexts.Contexts);
        return path;
    });

    static string Corpus() => CorpusFile.Value;

    static async Task<string> TrainSentencePieceAsync()
    {
        var prefix = Path.Combine(Root, "ko-unigram");
        await ReferencePrograms.RunAsync("spm_train",
        [
            $"--input={Corpus()}", $"--model_prefix={prefix}", $"--vocab_size={SentencePieceVocabulary.ToString(CultureInfo.InvariantCulture)}",
            "--model_type=unigram", "--minloglevel=2",
        ], Root, TimeSpan.FromMinutes(3));
        return prefix + ".model";
    }

    static async Task<string> TrainBpeAsync()
    {
        var folder = Directory.CreateDirectory(Path.Combine(Root, "ko-bpe")).FullName;
        await HfTokenizers.TrainByteLevelBpeAsync(Corpus(), folder, BpeMerges);
        return folder;
    }
}
