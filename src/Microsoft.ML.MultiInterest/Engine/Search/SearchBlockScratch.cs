namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// One thread's scratch for <see cref="TiledTopKSearch.SearchBlock{TFilter}(float[], int, int, TopKSelector[], ref TFilter, CandidateBlock?)"/>:
/// the block's query rows, its candidate buffers and one selector per query. Sized for the blocks of a search of
/// <c>totalQueries</c> queries (at most <see cref="TiledTopKSearch.QueryBlock"/> per block), so that a request of one user
/// does not allocate a batch's 144 rows.
/// </summary>
internal sealed class SearchBlockScratch
{
    /// <summary>Scratch for lists of up to <paramref name="capacity"/> rows, over blocks of a search of <paramref name="totalQueries"/> queries.</summary>
    public SearchBlockScratch(TiledTopKSearch search, int capacity, int totalQueries = TiledTopKSearch.QueryBlock)
    {
        int queries = Math.Min(TiledTopKSearch.QueryBlock, totalQueries);
        Queries = search.CreateQueryBuffer(queries);
        Candidates = search.CreateCandidateBlock(queries);
        Selectors = Enumerable.Range(0, queries).Select(_ => new TopKSelector(search.ListLength(capacity))).ToArray();
    }

    /// <summary>The block's query vectors, row-major, padded to whole micro-tiles.</summary>
    public float[] Queries { get; }

    /// <summary>The buffered selection's scratch.</summary>
    public CandidateBlock Candidates { get; }

    /// <summary>One selector per query of the block.</summary>
    public TopKSelector[] Selectors { get; }
}
