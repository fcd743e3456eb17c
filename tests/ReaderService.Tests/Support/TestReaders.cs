using Mrc.Core.Data;
using Mrc.Reading.Inference;
using Mrc.Reading.Modeling;
using Mrc.Reading.Tokenization;
using Mrc.Tests;
using static TorchSharp.torch;

namespace Mrc.Reader.Tests.Support;

/// <summary>A tiny random BERT with a character vocabulary covering a few part-a paragraphs.</summary>
internal sealed class TinyReader : IAsyncDisposable
{
    public TinyReader(bool batching, BatchingSettings? settings = null, WindowSettings? windows = null)
    {
        Paragraphs = [.. SquadJson.Load(TestData.KorQuadPartA).Articles.Take(2).SelectMany(a => a.Paragraphs)];
        var texts = Paragraphs.Select(p => p.Context).Concat(Paragraphs.SelectMany(p => p.Questions).Select(q => q.Question)).ToArray();
        var vocab = new List<string> { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" };
        vocab.AddRange(TinyModels.CharacterVocabulary(texts).Where(t => !vocab.Contains(t)));
        Tokenizer = new WordPieceTokenizer(vocab.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i), new BertNormalizerOptions(Lowercase: false));
        Model = TinyModels.Create(TinyModels.Config("bert", vocab.Count));
        Executor = new ModelExecutor(Model, CPU, Tokenizer.PadId);
        Runner = batching
            ? new DynamicBatcher(Executor, settings ?? new BatchingSettings(MaxBatchWindows: 16, MaxQueueDelay: TimeSpan.FromMilliseconds(20)))
            : new DirectWindowRunner(Executor, 16);
        Engine = new ReaderEngine(Tokenizer, Runner, windows ?? new WindowSettings(MaxSeqLength: 128, DocStride: 32, MaxQueryLength: 32));
    }

    public IReadOnlyList<Paragraph> Paragraphs { get; }
    public WordPieceTokenizer Tokenizer { get; }
    public QuestionAnsweringModel Model { get; }
    public ModelExecutor Executor { get; }
    public IWindowRunner Runner { get; }
    public ReaderEngine Engine { get; }

    public async ValueTask DisposeAsync()
    {
        await Runner.DisposeAsync();
        Executor.Dispose();
    }
}
