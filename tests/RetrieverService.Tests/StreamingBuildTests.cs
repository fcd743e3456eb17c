using System.Runtime.CompilerServices;
using Mrc.Core.Data;
using Mrc.Retrieval.Indexing;
using Mrc.Retriever.Tests.Support;

namespace Mrc.Retriever.Tests;

/// <summary>The index build reads its corpus as a stream: line by line, holding no document it has added.</summary>
public class StreamingBuildTests
{
    [Fact]
    public void Read_Jsonl_ParsesEachLineOnlyWhenItIsReached()
    {
        using var temp = new TempDirectory();
        string path = temp.Combine("corpus.jsonl");
        File.WriteAllLines(path, ["{\"id\": \"a\", \"title\": \"가\", \"text\": \"첫째 문단\"}", "{\"id\": \"b\", \"text\": \"둘째 문단\"}", "{ not json"]);

        // The malformed third line is never parsed when only two documents are taken.
        Assert.Equal(["a", "b"], CorpusReader.Read(path).Take(2).Select(d => d.Id));
        var error = Assert.Throws<DataFormatException>(() => CorpusReader.Read(path).ToList());
        Assert.Contains(":3:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_Jsonl_SeesLinesWrittenAfterReadingBegan()
    {
        using var temp = new TempDirectory();
        string path = temp.Combine("corpus.jsonl");
        File.WriteAllText(path, "{\"id\": \"a\", \"text\": \"첫째\"}\n");

        using var documents = CorpusReader.Read(path).GetEnumerator();
        Assert.True(documents.MoveNext());
        Assert.Equal("a", documents.Current.Id);
        File.AppendAllText(path, "{\"id\": \"b\", \"text\": \"둘째\"}\n");

        // A reader that had loaded the file at the start would end here.
        Assert.True(documents.MoveNext());
        Assert.Equal("b", documents.Current.Id);
        Assert.False(documents.MoveNext());
    }

    [Fact]
    public void Build_AnEndlessCorpus_AddsAsItReadsAndKeepsNoDocument()
    {
        using var temp = new TempDirectory();
        string index = temp.Combine("index");
        using var stop = new CancellationTokenSource();
        var firstText = new WeakReference<string>(null!);
        bool firstTextCollected = false;
        const int ReadBeforeStopping = 3000;

        IEnumerable<CorpusDocument> Endless()
        {
            for (long n = 0; ; n++)
            {
                if (n == ReadBeforeStopping)
                {
                    firstTextCollected = Collected(firstText);
                    stop.Cancel();
                }
                var document = new CorpusDocument($"d{n}", "제목", $"{n}번째 문단은 서울과 부산 사이의 기차 {n % 97}호를 설명한다.");
                if (n == 0) firstText.SetTarget(document.Text);
                yield return document;
            }
        }

        // A build that read its corpus before indexing would never finish reading this one.
        var stages = new List<string>();
        Assert.ThrowsAny<OperationCanceledException>(() => IndexBuilder.Build(
            new IngestedCorpus("endless", "0", Endless), index, new IndexBuildOptions { ChunkSize = 0 }, new Recorder(stages), stop.Token));

        Assert.True(firstTextCollected, "the first document was still held after 3,000 more had been read");
        Assert.Equal("indexing", stages[0]);
        Assert.Null(IndexLayout.ReadCurrent(index));
        Assert.Empty(Directory.GetDirectories(index));
    }

    [Fact]
    public void Build_ReportsProgressWithCountsAndElapsedTime()
    {
        using var temp = new TempDirectory();
        var documents = Enumerable.Range(0, 50).Select(n => new CorpusDocument($"d{n}", "", $"문단 {n}: 한강은 서울을 지나 서해로 흐른다."));
        var reports = new List<IndexBuildProgress>();

        IndexBuilder.Build(CorpusIngest.FromDocuments("t", "0", documents), temp.Combine("index"), new IndexBuildOptions { ChunkSize = 0 }, new Collector(reports));

        Assert.Equal(new IndexBuildProgress("indexing", 0, 0, reports[0].Elapsed), reports[0]);
        var committing = reports.Single(r => r.Stage == "committing");
        Assert.Equal((50L, 50L), (committing.DocumentsDone, committing.PassagesWritten));
        Assert.Equal("published", reports[^1].Stage);
        Assert.True(reports[^1].Elapsed >= committing.Elapsed && committing.Elapsed > TimeSpan.Zero);
        Assert.Equal(50 / committing.Elapsed.TotalSeconds, committing.PassagesPerSecond, 6);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static bool Collected(WeakReference<string> reference)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return !reference.TryGetTarget(out _);
    }

    sealed class Recorder(List<string> stages) : IProgress<IndexBuildProgress>
    {
        public void Report(IndexBuildProgress value) => stages.Add(value.Stage);
    }

    sealed class Collector(List<IndexBuildProgress> reports) : IProgress<IndexBuildProgress>
    {
        public void Report(IndexBuildProgress value) => reports.Add(value);
    }
}
