using Mrc.Reading.Inference;
using Mrc.Reader.Tests.Support;
using Mrc.Core.Pipeline;

namespace Mrc.Reader.Tests;

/// <summary>Dynamic batching: concurrent callers each get their own answers; full queue and cancellation.</summary>
public class BatchingTests
{
    [Fact]
    public async Task ConcurrentReads_WithDynamicBatching_EachGetTheirOwnAnswers()
    {
        await using var batched = new TinyReader(batching: true);
        await using var direct = new TinyReader(batching: false);
        var questions = batched.Paragraphs.Take(4)
            .SelectMany(p => p.Questions.Take(4).Select(q => (q.Question, Passages: (IReadOnlyList<PassageInput>)[new PassageInput("x", p.Context)])))
            .ToList();

        var expected = new List<IReadOnlyList<ReaderAnswer>>();
        foreach (var (question, passages) in questions)
            expected.Add(await direct.Engine.ReadAsync(question, passages, new ReadSettings(), CancellationToken.None));

        using var start = new ManualResetEventSlim();
        var tasks = questions.Select(q => Task.Run(() =>
        {
            start.Wait();
            return batched.Engine.ReadAsync(q.Question, q.Passages, new ReadSettings(), CancellationToken.None);
        })).ToArray();
        start.Set();
        var actual = await Task.WhenAll(tasks);

        for (var i = 0; i < questions.Count; i++)
        {
            Assert.Equal(expected[i].Select(a => (a.Text, a.StartChar)), actual[i].Select(a => (a.Text, a.StartChar)));
            Assert.Equal(expected[i].Select(a => a.Score), actual[i].Select(a => a.Score), (x, y) => Math.Abs(x - y) < 1e-3);
        }
        var batcher = (DynamicBatcher)batched.Runner;
        Assert.True(batcher.Batches < batcher.BatchedWindows, $"{batcher.Batches} passes for {batcher.BatchedWindows} windows: nothing was batched");
    }

    [Fact]
    public async Task Read_WhenQueueIsFull_IsRefusedAtOnce()
    {
        await using var reader = new TinyReader(batching: true, new BatchingSettings(MaxBatchWindows: 4, MaxQueueWindows: 1));
        var longContext = string.Concat(reader.Paragraphs.Take(3).Select(p => p.Context));

        await Assert.ThrowsAsync<ReaderBusyException>(() =>
            reader.Engine.ReadAsync("질문", [new PassageInput("x", longContext)], new ReadSettings(), CancellationToken.None));
        Assert.Equal(0, ((DynamicBatcher)reader.Runner).Pending);
    }

    [Fact]
    public async Task CancelledRead_DropsItsWindowsBeforeTheyRun()
    {
        await using var reader = new TinyReader(batching: true,
            new BatchingSettings(MaxBatchWindows: 256, MaxQueueDelay: TimeSpan.FromMilliseconds(400)));
        var batcher = (DynamicBatcher)reader.Runner;
        var context = reader.Paragraphs[0].Context;
        using var cancel = new CancellationTokenSource();

        var cancelled = reader.Engine.ReadAsync("질문 하나", [new PassageInput("a", context), new PassageInput("b", context)], new ReadSettings(), cancel.Token);
        var kept = reader.Engine.ReadAsync("질문 둘", [new PassageInput("c", context)], new ReadSettings(), CancellationToken.None);
        await Task.Delay(50);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        var answers = await kept;
        Assert.NotEmpty(answers);
        var keptWindows = Mrc.Reading.Inference.QaFeatures.Prepare(reader.Tokenizer, "질문 둘", context, 128, 32, 32).Count;
        Assert.Equal(keptWindows, batcher.BatchedWindows);
    }
}
