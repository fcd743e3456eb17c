using Lucene.Net.Search;

namespace Mrc.Retrieval.Lifecycle;

/// <summary>
/// A searcher borrowed from an index generation for the length of a <c>using</c> block. While it is
/// held, the generation stays open even if a newer one is swapped in.
/// </summary>
public readonly struct SearcherLease : IDisposable
{
    readonly IndexHandle? handle;

    internal SearcherLease(IndexHandle handle, IndexSearcher searcher)
    {
        this.handle = handle;
        Searcher = searcher;
    }

    public IndexSearcher Searcher { get; }

    public IndexHandle Index => handle ?? throw new InvalidOperationException("This lease was not acquired from an index.");

    public void Dispose()
    {
        if (handle is null) return;
        handle.ReleaseSearcher(Searcher);
        handle.ReleaseReference();
    }
}
