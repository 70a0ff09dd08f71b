namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Exact cosine search by brute force: four queries at a time against panels of sixteen indexed rows
/// (<see cref="PackedPanels"/>).
/// Thread-safe for concurrent searches.
/// </summary>
public sealed class ExactNeighborIndex : INeighborIndex
{
    private const int QueryBlock = 64;
    private readonly EmbeddingMatrix _rows;
    private readonly PackedPanels _panels;
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
        _rows = rows.Normalized();
        _panels = new PackedPanels(_rows);
        _eligible = eligible;
    }

    /// <inheritdoc />
    public int Count => _rows.Rows;

    /// <inheritdoc />
    public RankedLists Search(EmbeddingMatrix queries, int[]? excludeRows, int k, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(queries);
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "The number of neighbours must be at least 1.");
        if (queries.Dimension != _rows.Dimension)
            throw new ArgumentException($"Queries have dimension {queries.Dimension}, the index {_rows.Dimension}.", nameof(queries));
        if (excludeRows != null && excludeRows.Length != queries.Rows)
            throw new ArgumentException("excludeRows must have one entry per query.", nameof(excludeRows));
        queries.ThrowIfNotFinite("query embeddings");
        var normalized = queries.Normalized();
        var result = new RankedLists(queries.Rows, k);
        int blocks = (queries.Rows + QueryBlock - 1) / QueryBlock;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads <= 0 ? Environment.ProcessorCount : threads };
        Parallel.For(0, blocks, parallel, () => new BlockScratch(k), (block, _, scratch) =>
        {
            SearchBlock(normalized, excludeRows, block * QueryBlock, Math.Min(queries.Rows, (block + 1) * QueryBlock), result, scratch);
            return scratch;
        }, _ => { });
        return result;
    }

    private void SearchBlock(EmbeddingMatrix queries, int[]? excludeRows, int start, int end, RankedLists result, BlockScratch scratch)
    {
        Span<float> scores = stackalloc float[4 * PackedPanels.Width];
        for (int q0 = start; q0 < end; q0 += 4)
        {
            int width = Math.Min(4, end - q0);
            for (int j = 0; j < width; j++) scratch.Selectors[j].Reset(result.Capacity);
            // Unused lanes repeat the last query; their scores are ignored.
            var a = queries.ReadRow(q0);
            var b = queries.ReadRow(q0 + Math.Min(1, width - 1));
            var c = queries.ReadRow(q0 + Math.Min(2, width - 1));
            var d = queries.ReadRow(q0 + Math.Min(3, width - 1));
            for (int panel = 0; panel < _panels.Panels; panel++)
            {
                _panels.Score4(panel, a, b, c, d, scores);
                int first = panel * PackedPanels.Width;
                int count = Math.Min(PackedPanels.Width, _rows.Rows - first);
                for (int j = 0; j < width; j++)
                {
                    var selector = scratch.Selectors[j];
                    int excluded = excludeRows == null ? -1 : excludeRows[q0 + j];
                    for (int t = 0; t < count; t++)
                    {
                        int row = first + t;
                        float score = scores[j * PackedPanels.Width + t];
                        if (!selector.MightEnter(score) || row == excluded || (_eligible != null && !_eligible[row])) continue;
                        selector.Offer(score, row);
                    }
                }
            }
            for (int j = 0; j < width; j++)
            {
                int q = q0 + j;
                result.Counts[q] = scratch.Selectors[j].Drain(result.IndexSlots(q), result.ScoreSlots(q));
            }
        }
    }

    private sealed class BlockScratch
    {
        public BlockScratch(int k) => Selectors = [new TopKSelector(k), new TopKSelector(k), new TopKSelector(k), new TopKSelector(k)];

        public TopKSelector[] Selectors { get; }
    }
}
