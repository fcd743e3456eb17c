using Mrc.Retrieval.Settings;

namespace Mrc.Retrieval.Indexing;

/// <summary>How a corpus is cut and analysed when it is indexed.</summary>
public sealed record IndexBuildOptions
{
    /// <summary>Analysis and scoring (a settings file's content); stored in the generation and reused for queries.</summary>
    public IndexSettings Settings { get; init; } = IndexSettings.Default;

    /// <summary>Longest passage in characters; 0 indexes each document whole.</summary>
    public int ChunkSize { get; init; } = 1200;

    /// <summary>Characters shared by consecutive passages of one document, so an answer near a cut is whole in one of them.</summary>
    public int ChunkOverlap { get; init; } = 200;

    /// <summary>Index "title\npassage" so that a question naming the article finds all of its passages.</summary>
    public bool TitlePrefix { get; init; }

    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Settings);
        if (!Analysis.AnalyzerCatalog.IsKnown(Settings.Analyzer))
            throw new ArgumentException($"Unknown analyzer '{Settings.Analyzer}'. Known analyzers: {string.Join(", ", Analysis.AnalyzerCatalog.Names)}.");
        if (ChunkSize < 0) throw new ArgumentException($"Chunk size must be 0 (no splitting) or positive, not {ChunkSize}.");
        if (ChunkOverlap < 0) throw new ArgumentException($"Chunk overlap must not be negative, not {ChunkOverlap}.");
        if (ChunkSize > 0 && ChunkOverlap >= ChunkSize)
            throw new ArgumentException($"Chunk overlap ({ChunkOverlap}) must be smaller than the chunk size ({ChunkSize}).");
    }
}

/// <summary>
/// Where a build is: its stage (indexing, committing, published), the distinct documents read and
/// passages written so far, and the time since it began. The corpus is streamed, so its size is not
/// known until it has been read.
/// </summary>
public readonly record struct IndexBuildProgress(string Stage, long DocumentsDone, long PassagesWritten, TimeSpan Elapsed)
{
    /// <summary>Passages written per second of the build so far (0 at the start).</summary>
    public double PassagesPerSecond => Elapsed > TimeSpan.Zero ? PassagesWritten / Elapsed.TotalSeconds : 0;
}
