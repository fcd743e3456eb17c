using Lucene.Net.Analysis;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;
using Mrc.Retrieval.Analysis;
using Mrc.Retrieval.Indexing;
using Mrc.Retrieval.Search;
using Mrc.Retrieval.Settings;

namespace Mrc.Retrieval.Lifecycle;

/// <summary>
/// One opened index generation: its <see cref="SearcherManager"/>, metadata and query analyzer.
/// Reference-counted so that a generation that has been replaced is closed only after the last
/// search still running on it has finished.
/// </summary>
public sealed class IndexHandle
{
    readonly FSDirectory directory;
    readonly SearcherManager searchers;
    // Starts at 1: the reference held by whoever published the handle (the host), dropped by Retire.
    int references = 1;
    // Passages by Lucene doc id, filled as they are first returned. A generation never changes, so
    // they never go stale; decompressing stored fields on every hit cost most of a top-20 search.
    // Memory grows at most to the corpus text, and only with passages that are actually returned.
    readonly IndexedPassage?[] passages;

    IndexHandle(string generationName, string path, IndexMetadata metadata, IndexSettings settings, FSDirectory directory, SearcherManager searchers, Analyzer analyzer, ScoringSettings scoring)
    {
        Settings = settings;
        Scoring = scoring;
        GenerationName = generationName;
        Path = path;
        Metadata = metadata;
        this.directory = directory;
        this.searchers = searchers;
        Analyzer = analyzer;
        var searcher = searchers.Acquire();
        try
        {
            passages = new IndexedPassage?[searcher.IndexReader.MaxDoc];
        }
        finally
        {
            searchers.Release(searcher);
        }
    }

    public string GenerationName { get; }
    public string Path { get; }
    public IndexMetadata Metadata { get; }

    /// <summary>The settings the generation was built with; queries are analysed and weighted by them.</summary>
    public IndexSettings Settings { get; }

    public Analyzer Analyzer { get; }

    /// <summary>The scoring the managed searchers carry: the settings' BM25 with the host's override applied.</summary>
    public ScoringSettings Scoring { get; }

    /// <summary>
    /// Opens the live generation of <paramref name="indexDirectory"/>, or explains why it cannot.
    /// Searches score with the generation's own settings, with <paramref name="scoringOverride"/> applied over them.
    /// </summary>
    public static IndexHandle Open(string indexDirectory, ScoringOverride? scoringOverride)
    {
        (string Name, string Path) current;
        try
        {
            current = IndexLayout.ReadCurrent(indexDirectory) ?? throw new IndexUnavailableException(
                $"No index at '{indexDirectory}': build one with `mrc index build --corpus PATH --out {indexDirectory}`, or point Retriever:IndexPath at an index folder.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IndexUnavailableException($"The index folder '{indexDirectory}' cannot be read ({e.Message}): check its permissions.", e);
        }

        FSDirectory? directory = null;
        Analyzer? analyzer = null;
        try
        {
            var metadata = IndexMetadata.Load(current.Path);
            if (!AnalyzerCatalog.IsKnown(metadata.Analyzer))
                throw new InvalidDataException($"it was built with the analyzer '{metadata.Analyzer}', which this version does not have.");
            var settings = LoadSettings(current.Path, metadata);
            var scoring = scoringOverride?.Over(settings.Scoring) ?? settings.Scoring;
            directory = FSDirectory.Open(current.Path);
            analyzer = AnalyzerCatalog.Create(settings);
            var searchers = new SearcherManager(directory, new ScoringSearcherFactory(scoring.CreateSimilarity()));
            return new IndexHandle(current.Name, current.Path, metadata, settings, directory, searchers, analyzer, scoring);
        }
        // Damaged Lucene files surface as many exception types (IOException, index or argument out
        // of range, format errors); whatever it is, the index cannot be served and must be rebuilt.
        catch (Exception e) when (e is not OutOfMemoryException and not IndexUnavailableException)
        {
            analyzer?.Dispose();
            directory?.Dispose();
            throw new IndexUnavailableException(
                $"The index at '{current.Path}' is missing or corrupt ({e.Message}): rebuild it with `mrc index build --corpus PATH --out {indexDirectory}`.", e);
        }
    }

    /// <summary>
    /// The generation's settings.json; a generation built before settings existed has none and was
    /// built with its metadata's analyzer and nothing else (<see cref="IndexSettings.Bare"/>).
    /// </summary>
    static IndexSettings LoadSettings(string generation, IndexMetadata metadata)
    {
        string path = System.IO.Path.Combine(generation, IndexSettingsFile.FileName);
        if (!File.Exists(path)) return IndexSettings.Bare(metadata.Analyzer);
        var settings = IndexSettingsFile.LoadStored(path);
        if (settings.Analyzer != metadata.Analyzer)
            throw new InvalidDataException($"{IndexSettingsFile.FileName} names the analyzer '{settings.Analyzer}' but {IndexMetadata.FileName} '{metadata.Analyzer}'.");
        return settings;
    }

    /// <summary>Takes a reference for one search; false when the handle is already closing.</summary>
    internal bool TryAddReference()
    {
        int count = Volatile.Read(ref references);
        while (count > 0)
        {
            int seen = Interlocked.CompareExchange(ref references, count + 1, count);
            if (seen == count) return true;
            count = seen;
        }
        return false;
    }

    internal void ReleaseReference()
    {
        if (Interlocked.Decrement(ref references) == 0) Close();
    }

    /// <summary>Called once by the host when a newer generation replaces this one.</summary>
    internal void Retire() => ReleaseReference();

    internal IndexSearcher AcquireSearcher() => searchers.Acquire();

    /// <summary>The passage stored as Lucene document <paramref name="doc"/> of this generation.</summary>
    internal IndexedPassage Passage(IndexSearcher searcher, int doc)
    {
        var passage = Volatile.Read(ref passages[doc]);
        if (passage is not null) return passage;
        // Two threads may both load the same passage; they store equal values, so the race is harmless.
        passage = PassageFields.FromDocument(searcher.Doc(doc));
        Volatile.Write(ref passages[doc], passage);
        return passage;
    }

    internal void ReleaseSearcher(IndexSearcher searcher) => searchers.Release(searcher);

    void Close()
    {
        searchers.Dispose();
        Analyzer.Dispose();
        directory.Dispose();
    }

    /// <summary>Puts the configured similarity on every searcher the manager hands out (IndexSearcher defaults to TF-IDF).</summary>
    sealed class ScoringSearcherFactory(Lucene.Net.Search.Similarities.Similarity similarity) : SearcherFactory
    {
        public override IndexSearcher NewSearcher(IndexReader reader) => new(reader) { Similarity = similarity };
    }
}
