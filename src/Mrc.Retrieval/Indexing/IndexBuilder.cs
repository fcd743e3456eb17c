using System.Diagnostics;
using Lucene.Net.Index;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using Mrc.Retrieval.Analysis;
using Mrc.Retrieval.Settings;

namespace Mrc.Retrieval.Indexing;

/// <summary>The outcome of a build: the generation it published and its metadata.</summary>
public sealed record IndexBuildResult(string GenerationPath, IndexMetadata Metadata);

/// <summary>
/// Writes a corpus into a new index generation and publishes it (see <see cref="IndexLayout"/>).
/// Any failure, cancellation included, deletes the half-built generation and leaves the live index
/// untouched.
/// </summary>
public static class IndexBuilder
{
    /// <summary>How often progress is reported while documents are added.</summary>
    static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(1);

    /// <summary>How many passages' words fields may be analysed ahead of the writer.</summary>
    const int AnalysedAhead = 256;

    public static IndexBuildResult Build(
        IngestedCorpus corpus,
        string indexDirectory,
        IndexBuildOptions options,
        IProgress<IndexBuildProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        System.IO.Directory.CreateDirectory(indexDirectory);
        using var buildLock = IndexLayout.LockForBuild(indexDirectory);
        string staging = IndexLayout.NewStagingDirectory(indexDirectory);
        string? generation = null;
        try
        {
            var builtAt = DateTimeOffset.UtcNow;
            var clock = Stopwatch.StartNew();
            var documents = corpus.Read();
            long passages = WriteLuceneIndex(documents, staging, options, clock, progress, cancellationToken);
            var metadata = new IndexMetadata
            {
                CorpusSource = corpus.Source,
                CorpusSha256 = corpus.Sha256,
                Analyzer = options.Settings.Analyzer,
                ChunkSize = options.ChunkSize,
                ChunkOverlap = options.ChunkSize == 0 ? 0 : options.ChunkOverlap,
                TitlePrefix = options.TitlePrefix,
                DocumentCount = documents.Kept,
                PassageCount = passages,
                DuplicatesSkipped = documents.DuplicatesSkipped,
                BuiltAt = builtAt,
            };
            IndexSettingsFile.Save(options.Settings, staging);
            metadata.Save(staging);
            cancellationToken.ThrowIfCancellationRequested();

            string name = IndexLayout.NewGenerationName(builtAt);
            generation = Path.Combine(indexDirectory, name);
            System.IO.Directory.Move(staging, generation);
            string? previous = IndexLayout.ReadCurrent(indexDirectory)?.Name;
            IndexLayout.Publish(indexDirectory, name);
            IndexLayout.PruneGenerations(indexDirectory, name, previous);
            progress?.Report(new IndexBuildProgress("published", documents.Kept, passages, clock.Elapsed));
            return new IndexBuildResult(generation, metadata);
        }
        catch
        {
            DeleteQuietly(staging);
            // Moved but not published: nothing points at it, so it goes too.
            if (generation is not null && IndexLayout.ReadCurrent(indexDirectory)?.Path != generation) DeleteQuietly(generation);
            throw;
        }
    }

    /// <summary>
    /// Adds the documents as they are read: the corpus is never held, and the writer flushes a
    /// segment to disk whenever its RAM buffer fills, so memory stays at about the buffer's size
    /// whatever the corpus's size.
    /// </summary>
    static long WriteLuceneIndex(
        DistinctDocuments documents, string directory, IndexBuildOptions options, Stopwatch clock,
        IProgress<IndexBuildProgress>? progress, CancellationToken cancellationToken)
    {
        using var analyzer = AnalyzerCatalog.Create(options.Settings);
        using var luceneDirectory = FSDirectory.Open(directory);
        var config = new IndexWriterConfig(AnalyzerCatalog.Version, analyzer)
        {
            OpenMode = OpenMode.CREATE,
            // Norms are encoded by the writer's similarity: BM25 here so BM25 scores match the reference.
            Similarity = new BM25Similarity(),
            RAMBufferSizeMB = 128,
        };
        long passages = 0;
        bool titleField = options.Settings.TitleBoost > 0, wordsField = options.Settings.WordsBoost > 0;
        // The words field is analysed ahead on the thread pool (RecordedTokens), at most
        // AnalysedAhead passages in front of the writer, which adds them in corpus order.
        var ahead = new Queue<(IndexedPassage Passage, Task<RecordedTokens>? Words)>();
        using var writer = new IndexWriter(luceneDirectory, config);
        try
        {
            void WriteOldest()
            {
                var (passage, words) = ahead.Dequeue();
                writer.AddDocument(PassageFields.ToDocument(passage, options.TitlePrefix, titleField, wordsField, words?.GetAwaiter().GetResult()));
                passages++;
            }

            progress?.Report(new IndexBuildProgress("indexing", 0, 0, clock.Elapsed));
            var nextReport = clock.Elapsed + ProgressEvery;
            foreach (var document in documents)
            {
                cancellationToken.ThrowIfCancellationRequested();
                foreach (var passage in Passages(document, options))
                {
                    string contents = PassageFields.ContentsOf(passage, options.TitlePrefix);
                    ahead.Enqueue((passage, wordsField ? Task.Run(() => RecordedTokens.Of(analyzer, PassageFields.Words, contents), cancellationToken) : null));
                    if (ahead.Count >= AnalysedAhead) WriteOldest();
                }
                if (clock.Elapsed >= nextReport)
                {
                    progress?.Report(new IndexBuildProgress("indexing", documents.Kept, passages, clock.Elapsed));
                    nextReport = clock.Elapsed + ProgressEvery;
                }
            }
            while (ahead.Count > 0) WriteOldest();
            progress?.Report(new IndexBuildProgress("committing", documents.Kept, passages, clock.Elapsed));
            // Few segments search faster; the index is written once and then only read.
            writer.ForceMerge(1);
            writer.Commit();
        }
        finally
        {
            // A failed build still lets the analyses in flight finish before the analyzer is disposed.
            foreach (var (_, words) in ahead)
                if (words is not null) ((IAsyncResult)words).AsyncWaitHandle.WaitOne();
        }
        return passages;
    }

    /// <summary>The passages of one document, ids "documentId#n" in document order.</summary>
    public static IEnumerable<IndexedPassage> Passages(IngestedDocument ingested, IndexBuildOptions options)
    {
        ArgumentNullException.ThrowIfNull(ingested);
        ArgumentNullException.ThrowIfNull(options);
        var document = ingested.Document;
        var ranges = PassageChunker.Split(document.Text, options.ChunkSize, options.ChunkOverlap);
        for (int n = 0; n < ranges.Count; n++)
        {
            var range = ranges[n];
            yield return new IndexedPassage(
                $"{document.Id}#{n}", document.Id, ingested.TextSha256, document.Title,
                document.Text.Substring(range.Start, range.Length), range.Start, range.End);
        }
    }

    static void DeleteQuietly(string directory)
    {
        try
        {
            if (System.IO.Directory.Exists(directory)) System.IO.Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // The build already failed; that error is the one to report.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }
}
