namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Exact cosine search by brute force: blocks of queries against packed panels of the indexed rows
/// (<see cref="TiledTopKSearch"/>).
/// Thread-safe for concurrent searches.
/// </summary>
public sealed class ExactNeighborIndex : INeighborIndex
{
    private readonly TiledTopKSearch _search;
    private readonly bool[]? _eligible;

    /// <summary>Indexes <paramref name="rows"/> (copied and normalised).</summary>
    /// <param name="rows">Vectors to index.</param>
    /// <param name="eligible">Optional mask: only rows with true are ever returned (e.g. users with training edges).</param>
    public ExactNeighborIndex(EmbeddingMatrix rows, bool[]? eligible = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        rows.ThrowIfNotFinite("indexed embeddings");
        if (eligible != null && eligible.Length != rows.Rows)
            throw new ArgumentException($"The eligibility mask has {eligible.Length} entries for {rows.Rows} rows.", nameof(eligible));
        // Only the packed copy is kept: the normalised rows are not needed once packed (d floats per row less).
        _search = new TiledTopKSearch(rows.Normalized());
        _eligible = eligible;
    }

    /// <inheritdoc />
    public int Count => _search.Rows;

    /// <inheritdoc />
    public RankedLists Search(EmbeddingMatrix queries, int[]? excludeRows, int k, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(queries);
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "The number of neighbours must be at least 1.");
        // No query has more neighbours than the index has rows: a larger k would only allocate empty slots.
        k = Math.Min(k, Math.Max(1, Count));
        if (queries.Dimension != _search.Dimension)
            throw new ArgumentException($"Queries have dimension {queries.Dimension}, the index {_search.Dimension}.", nameof(queries));
        if (excludeRows != null && excludeRows.Length != queries.Rows)
            throw new ArgumentException("excludeRows must have one entry per query.", nameof(excludeRows));
        queries.ThrowIfNotFinite("query embeddings");
        var result = new RankedLists(queries.Rows, k);
        int blocks = (queries.Rows + TiledTopKSearch.QueryBlock - 1) / TiledTopKSearch.QueryBlock;
        var parallel = Parallelism.Options(threads);
        Parallel.For(0, blocks, parallel, () => new SearchBlockScratch(_search, k), (block, _, scratch) =>
        {
            int start = block * TiledTopKSearch.QueryBlock;
            SearchBlock(queries, excludeRows, start, Math.Min(TiledTopKSearch.QueryBlock, queries.Rows - start), result, scratch);
            return scratch;
        }, _ => { });
        return result;
    }

    private void SearchBlock(EmbeddingMatrix queries, int[]? excludeRows, int start, int count, RankedLists result, SearchBlockScratch scratch)
    {
        int d = queries.Dimension;
        for (int j = 0; j < count; j++)
        {
            // Normalised here, row by row as EmbeddingMatrix.Normalized does, rather than in a copy of all queries.
            var row = scratch.Queries.AsSpan(j * d, d);
            queries.ReadRow(start + j).CopyTo(row);
            VectorMath.NormalizeInPlace(row);
            scratch.Selectors[j].Reset(_search.ListLength(result.Capacity));
        }
        var filter = new EligibleRows(excludeRows, _eligible);
        _search.SearchBlock(scratch.Queries, count, start, scratch.Selectors, ref filter, scratch.Candidates);
        for (int j = 0; j < count; j++)
            result.Counts[start + j] = scratch.Selectors[j].Drain(result.IndexSlots(start + j), result.ScoreSlots(start + j));
    }

    /// <summary>Keeps the query's own row and ineligible rows out of its neighbours.</summary>
    private readonly struct EligibleRows(int[]? excludeRows, bool[]? eligible) : ICandidateFilter
    {
        public bool Accepts(int query, int row) => (excludeRows == null || excludeRows[query] != row) && (eligible == null || eligible[row]);
    }
}
