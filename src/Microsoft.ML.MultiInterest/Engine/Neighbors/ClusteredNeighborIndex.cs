namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Approximate cosine search by an inverted file (IVF-flat): the indexed rows are split into lists by a spherical k-means
/// coarse quantiser, and a query scans only the <see cref="ClusteredNeighborIndexOptions.Probes"/> lists whose centroids
/// are most similar to it. Each list is one contiguous block of the normalised rows, so a probe is a sequential scan.
/// </summary>
/// <remarks>
/// Scores are computed exactly as <see cref="ExactNeighborIndex"/> computes them (same normalisation, same fused
/// multiply-add chain), ties go to the lower row, and with probes = lists the result is the exact index's. Results do not
/// depend on the thread count. Thread-safe for concurrent searches.
/// </remarks>
public sealed partial class ClusteredNeighborIndex : INeighborIndex
{
    /// <summary>Queries per parallel work item of the probe selection (a multiple of the centroid tile's 6 queries).</summary>
    private const int QueryBlock = 24;

    private readonly PanelRows _centroids;
    private readonly PanelRows _lists;
    private readonly int _rows;
    private readonly int _probes;

    /// <summary>Trains the lists on <paramref name="rows"/> (copied and normalised) and fills them.</summary>
    /// <param name="rows">Vectors to index.</param>
    /// <param name="eligible">Optional mask: only rows with true are indexed, and so ever returned (e.g. users with training edges).</param>
    /// <param name="options">Lists, probes, training sample, seed, threads; null = the defaults.</param>
    /// <exception cref="ArgumentException">The rows hold a non-finite value, or the mask has the wrong length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (see <see cref="ClusteredNeighborIndexOptions.Validate"/>).</exception>
    public ClusteredNeighborIndex(EmbeddingMatrix rows, bool[]? eligible = null, ClusteredNeighborIndexOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        options ??= new ClusteredNeighborIndexOptions();
        options.Validate();
        rows.ThrowIfNotFinite("indexed embeddings");
        if (eligible != null && eligible.Length != rows.Rows)
            throw new ArgumentException($"The eligibility mask has {eligible.Length} entries for {rows.Rows} rows.", nameof(eligible));
        _rows = rows.Rows;
        Dimension = rows.Dimension;
        int d = Dimension;

        // Only eligible rows are indexed; each is normalised as the exact index normalises it.
        var ids = Enumerable.Range(0, rows.Rows).Where(r => eligible == null || eligible[r]).ToArray();
        int padded = (ids.Length + NearestCentroidKernel.PointTile - 1) / NearestCentroidKernel.PointTile * NearestCentroidKernel.PointTile;
        var unit = new float[(long)padded * d];
        for (int i = 0; i < ids.Length; i++)
        {
            var row = unit.AsSpan(i * d, d);
            rows.ReadRow(ids[i]).CopyTo(row);
            VectorMath.NormalizeInPlace(row);
        }

        int lists = options.Lists == 0 ? ClusteredNeighborIndexOptions.AutomaticLists(ids.Length) : Math.Min(options.Lists, Math.Max(1, ids.Length));
        var quantizer = ids.Length == 0
            ? new CoarseQuantizer.Result(new EmbeddingMatrix(1, d), [])
            : CoarseQuantizer.Train(unit, ids.Length, d, lists, options);
        Lists = quantizer.Centroids.Rows;
        _probes = Math.Min(options.Probes, Lists);

        // Counting sort by list; within a list rows stay in ascending row order.
        var start = new int[Lists + 1];
        foreach (int l in quantizer.Lists) start[l + 1]++;
        for (int l = 0; l < Lists; l++) start[l + 1] += start[l];
        var order = new int[ids.Length];
        var next = start[..Lists];
        for (int i = 0; i < ids.Length; i++) order[next[quantizer.Lists[i]]++] = i;
        var sizes = new int[Lists];
        for (int l = 0; l < Lists; l++) sizes[l] = start[l + 1] - start[l];
        ListSizes = sizes;

        _lists = new PanelRows(unit, d, order, start);
        // Panel slots hold positions in the eligible subset; map them back to row ids.
        for (int s = 0; s < _lists.Ids.Length; s++)
        {
            if (_lists.Ids[s] >= 0) _lists.Ids[s] = ids[_lists.Ids[s]];
        }
        _centroids = new PanelRows(quantizer.Centroids.Values, d, Enumerable.Range(0, Lists).ToArray(), [0, Lists]);
    }

    /// <inheritdoc />
    public int Count => _rows;

    /// <summary>Dimension of the indexed rows.</summary>
    public int Dimension { get; }

    /// <summary>Number of inverted lists actually built (the option, clamped to the rows with a direction).</summary>
    public int Lists { get; }

    /// <summary>Lists scanned per query (the option, clamped to <see cref="Lists"/>).</summary>
    public int Probes => _probes;

    /// <summary>Indexed rows in each list.</summary>
    public IReadOnlyList<int> ListSizes { get; }

    /// <inheritdoc />
    public RankedLists Search(EmbeddingMatrix queries, int[]? excludeRows, int k, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(queries);
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "The number of neighbours must be at least 1.");
        // No query has more neighbours than the index has rows: a larger k would only allocate empty slots.
        k = Math.Min(k, Math.Max(1, Count));
        if (queries.Dimension != Dimension)
            throw new ArgumentException($"Queries have dimension {queries.Dimension}, the index {Dimension}.", nameof(queries));
        if (excludeRows != null && excludeRows.Length != queries.Rows)
            throw new ArgumentException("excludeRows must have one entry per query.", nameof(excludeRows));
        if (threads < 0) throw new ArgumentOutOfRangeException(nameof(threads), threads, "Threads must not be negative (0 = all cores).");
        queries.ThrowIfNotFinite("query embeddings");
        var result = new RankedLists(queries.Rows, k);
        int n = queries.Rows;
        var parallel = Parallelism.Options(threads);

        // First every query's unit vector and lists, so that queries can be grouped by the lists they share.
        var unit = new float[(long)n * Dimension];
        var probes = new int[(long)n * _probes];
        int probeBlocks = (n + QueryBlock - 1) / QueryBlock;
        Parallel.For(0, probeBlocks, parallel, () => new Scratch(this, k), (block, _, scratch) =>
        {
            SelectProbeTiles(queries, block * QueryBlock, Math.Min(n, (block + 1) * QueryBlock), unit, probes, scratch);
            return scratch;
        }, _ => { });

        // Queries with the same nearest list probe mostly the same lists: blocking them together lets one loaded panel
        // serve several queries. The order only moves work around; each query's result does not depend on it.
        var order = OrderByNearestList(probes, n);
        int blocks = (n + GroupBlock - 1) / GroupBlock;
        Parallel.For(0, blocks, parallel, () => new Scratch(this, k), (block, _, scratch) =>
        {
            var members = order.AsSpan(block * GroupBlock, Math.Min(n, (block + 1) * GroupBlock) - block * GroupBlock);
            ScanBlock(members, unit, probes, excludeRows, result, scratch);
            return scratch;
        }, _ => { });
        return result;
    }

    /// <summary>Query ids sorted by their best list, ties by id (a stable counting sort, so the blocks do not depend on
    /// the thread count).</summary>
    private int[] OrderByNearestList(int[] probes, int n)
    {
        var start = new int[Lists + 1];
        for (int q = 0; q < n; q++) start[probes[q * _probes] + 1]++;
        for (int l = 0; l < Lists; l++) start[l + 1] += start[l];
        var order = new int[n];
        for (int q = 0; q < n; q++) order[start[probes[q * _probes]]++] = q;
        return order;
    }

    /// <summary>Writes the lists with the best centroid scores to <paramref name="probed"/>, best first, ties to the
    /// lower list (the selector's index rule).</summary>
    /// <returns>The number of lists written.</returns>
    private int PickProbes(ReadOnlySpan<float> centroidScores, Span<int> probed, Scratch s)
    {
        var selector = s.ListSelector;
        selector.Reset(_probes);
        float bound = float.NegativeInfinity;
        for (int l = 0; l < Lists; l++)
        {
            // The bound skips the heap for the many lists that cannot enter.
            float score = centroidScores[l];
            if (score < bound) continue;
            selector.Offer(score, l);
            bound = selector.EntryBound;
        }
        return selector.Drain(probed, default);
    }

    /// <summary>Normalises queries [<paramref name="first"/>, <paramref name="end"/>) into <paramref name="unit"/> and
    /// picks their lists into <paramref name="probes"/>, scoring the centroids a tile of queries at a time.</summary>
    private void SelectProbeTiles(EmbeddingMatrix queries, int first, int end, float[] unit, int[] probes, Scratch s)
    {
        int d = Dimension;
        int slots = s.CentroidSlots;
        const int tileQueries = PanelQueryTile.Queries;
        for (int q0 = first; q0 < end; q0 += tileQueries)
        {
            int used = Math.Min(tileQueries, end - q0);
            for (int r = 0; r < tileQueries; r++)
            {
                var row = unit.AsSpan((q0 + Math.Min(r, used - 1)) * d, d);
                if (r < used)
                {
                    queries.ReadRow(q0 + r).CopyTo(row);
                    VectorMath.NormalizeInPlace(row);
                }
                row.CopyTo(s.QueryTile.AsSpan(r * d, d));
                s.TileOffsets[r] = r * slots;
            }
            _centroids.ScoreQueries(s.QueryTile, used, 0, _centroids.PanelCount(0), s.Tile, s.TileCentroidScores, s.TileOffsets);
            for (int r = 0; r < used; r++)
            {
                int probed = PickProbes(s.TileCentroidScores.AsSpan(r * slots, slots), probes.AsSpan((q0 + r) * _probes, _probes), s);
                // Every query probes exactly Probes lists (there are at least that many), so the probe table has no holes.
                System.Diagnostics.Debug.Assert(probed == _probes);
            }
        }
    }

    /// <summary>
    /// How many indexed rows a search of each query scans (the sizes of its probed lists): the work the index saves
    /// against the exact search's <see cref="Count"/> rows. Single-threaded; for reports, not for serving.
    /// </summary>
    /// <param name="queries">Query vectors of the index's dimension.</param>
    /// <returns>One count per query.</returns>
    /// <exception cref="ArgumentException">The queries' dimension is not the index's.</exception>
    public int[] RowsScanned(EmbeddingMatrix queries)
    {
        ArgumentNullException.ThrowIfNull(queries);
        if (queries.Dimension != Dimension)
            throw new ArgumentException($"Queries have dimension {queries.Dimension}, the index {Dimension}.", nameof(queries));
        // The search's own probe selection, so the count is of the lists a search scans.
        int n = queries.Rows;
        var unit = new float[(long)n * Dimension];
        var probes = new int[(long)n * _probes];
        SelectProbeTiles(queries, 0, n, unit, probes, new Scratch(this, 1));
        var rows = new int[n];
        for (int q = 0; q < n; q++)
        {
            for (int p = 0; p < _probes; p++) rows[q] += ListSizes[probes[q * _probes + p]];
        }
        return rows;
    }

    /// <summary>Per-thread buffers, so a query allocates nothing.</summary>
    private sealed partial class Scratch(ClusteredNeighborIndex index, int k)
    {
        /// <summary>Centroid score slots per query: every list, padded to whole panels.</summary>
        public int CentroidSlots { get; } = index._centroids.PanelCount(0) * index._centroids.Width;

        public TopKSelector ListSelector { get; } = new(index._probes);

        public TopKSelector Neighbors { get; } = new(k);
    }
}
