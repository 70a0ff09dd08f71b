using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Exact brute-force top-k by dot product: the scoring is a blocked, register-tiled matrix product fused with a
/// vectorised threshold filter, so only scores that could enter a query's list reach the scalar selector.
/// </summary>
/// <remarks>
/// Indexed rows are packed into panels of two vectors' width (16 rows with 256-bit vectors, 32 with 512-bit),
/// interleaved by dimension. Queries are searched in blocks of <see cref="QueryBlock"/> (56 KB at d = 100, 442 KB at
/// d = 768: L2-resident) against every panel, so each panel is read once per block rather than once per few queries; a
/// micro-tile of <see cref="QueryTile"/> queries x one panel keeps its 12 accumulators in registers over the whole
/// dimension. After each micro-tile, every query's scores are compared with its list's entry bound
/// (<see cref="TopKSelector.EntryBound"/>): once the list is full almost every comparison fails, which makes
/// selection nearly free. Every score is the same chain of fused multiply-adds over the dimensions in ascending
/// order wherever it sits in a tile, so results depend neither on the blocking nor on the thread count.
/// For long lists (k of 100: a few hundred heap updates per query, which cost as much as the dot products), the
/// caller's <see cref="CandidateBlock"/> replaces the offers by appends to a buffer and proves each selector's list
/// from it afterwards (<see cref="CandidateBuffer"/>): the same lists, with a fraction of the bookkeeping.
/// </remarks>
internal sealed class TiledTopKSearch
{
    /// <summary>Queries per micro-tile (rows of the register tile).</summary>
    public const int QueryTile = RegisterTile.Rows;

    /// <summary>Queries per cache block (a multiple of <see cref="QueryTile"/>).</summary>
    /// <remarks>When the rows outgrow the last-level cache (Gowalla's 40,981 items at d = 768: 126 MB), every block
    /// streams them from memory once: 144 queries per block took 0.81x the seconds of 48 there (the exact unimodal
    /// search), and the same within noise at d = 128, where the rows stay in cache (docs/performance.md).</remarks>
    public const int QueryBlock = 144;

    /// <summary>
    /// The shortest list worth the buffered selection: on cit-HepPh's item vectors it took 0.70x the selector's time at
    /// k = 100 and 0.87x at k = 50, but 1.02x at k = 10 and 1.10x at k = 1, where the heap has little to do.
    /// </summary>
    internal const int MinBufferedK = 32;

    private readonly float[] _packed;

    private readonly bool _wide;

    /// <summary>Packs <paramref name="rows"/> (copied) for the widest accelerated vectors.</summary>
    public TiledTopKSearch(EmbeddingMatrix rows)
        : this(rows, Vector512.IsHardwareAccelerated)
    {
    }

    /// <summary>Packs <paramref name="rows"/> (copied) for 512-bit (<paramref name="wide"/>) or 256-bit vectors; tests run both.</summary>
    internal TiledTopKSearch(EmbeddingMatrix rows, bool wide)
    {
        _wide = wide;
        Rows = rows.Rows;
        Dimension = rows.Dimension;
        PanelWidth = 2 * (wide ? Vector512<float>.Count : Vector256<float>.Count);
        Panels = (Rows + PanelWidth - 1) / PanelWidth;
        _packed = new float[checked(Panels * Dimension * PanelWidth)];
        for (int r = 0; r < Rows; r++)
        {
            var row = rows.ReadRow(r);
            int panelBase = r / PanelWidth * Dimension * PanelWidth + r % PanelWidth;
            for (int d = 0; d < Dimension; d++) _packed[panelBase + d * PanelWidth] = row[d];
        }
        // Padding rows of the last panel stay zero; the kernel never offers them.
    }

    /// <summary>Number of indexed rows.</summary>
    public int Rows { get; }

    /// <summary>
    /// How many pairs a selector of this search keeps for a list of <paramref name="k"/>: no more than the rows searched, so a
    /// caller's huge k (a million) costs no selector of a million slots per query in the block.
    /// </summary>
    public int ListLength(int k) => Math.Min(k, Rows);

    /// <summary>Dimension of rows and queries.</summary>
    public int Dimension { get; }

    /// <summary>Rows per packed panel.</summary>
    public int PanelWidth { get; }

    /// <summary>Number of panels.</summary>
    public int Panels { get; }

    /// <summary>
    /// The score the kernel gives <paramref name="row"/> for <paramref name="query"/>, computed alone: one chain of fused
    /// multiply-adds over the dimensions in ascending order from zero, which is what every lane of <see cref="RegisterTile"/>
    /// computes. Re-scoring a few rows found elsewhere (ONNX Runtime's candidates) with it gives the search's floats bit for bit.
    /// </summary>
    public static float Score(ReadOnlySpan<float> query, ReadOnlySpan<float> row)
    {
        if (row.Length != query.Length) throw new ArgumentException("Vectors must have the same length.", nameof(row));
        float score = 0f;
        for (int d = 0; d < query.Length; d++) score = MathF.FusedMultiplyAdd(query[d], row[d], score);
        return score;
    }

    /// <summary>
    /// <see cref="Score(ReadOnlySpan{float}, ReadOnlySpan{float})"/> of <paramref name="query"/> against the rows <paramref name="which"/> of <paramref name="rows"/>,
    /// into <paramref name="scores"/>. Four chains run side by side so that their latencies overlap; each is still the one
    /// ascending chain of <see cref="Score(ReadOnlySpan{float}, ReadOnlySpan{float})"/>.
    /// </summary>
    // Optimised at once rather than tiered, as CertifiedRanking.Rank (why there).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Score(ReadOnlySpan<float> query, EmbeddingMatrix rows, ReadOnlySpan<int> which, Span<float> scores)
    {
        if (rows.Dimension != query.Length) throw new ArgumentException($"The query has dimension {query.Length}, the rows {rows.Dimension}.", nameof(query));
        int n = which.Length, d = query.Length, i = 0;
        for (; i + 4 <= n; i += 4)
        {
            var r0 = rows.ReadRow(which[i]);
            var r1 = rows.ReadRow(which[i + 1]);
            var r2 = rows.ReadRow(which[i + 2]);
            var r3 = rows.ReadRow(which[i + 3]);
            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
            for (int j = 0; j < d; j++)
            {
                float x = query[j];
                s0 = MathF.FusedMultiplyAdd(x, r0[j], s0);
                s1 = MathF.FusedMultiplyAdd(x, r1[j], s1);
                s2 = MathF.FusedMultiplyAdd(x, r2[j], s2);
                s3 = MathF.FusedMultiplyAdd(x, r3[j], s3);
            }
            scores[i] = s0;
            scores[i + 1] = s1;
            scores[i + 2] = s2;
            scores[i + 3] = s3;
        }
        for (; i < n; i++) scores[i] = Score(query, rows.ReadRow(which[i]));
    }

    /// <summary>
    /// A query block's scratch: the block's query rows, contiguous, padded to whole micro-tiles. Sized for
    /// <paramref name="queries"/> (at most a block): a request of one user need not allocate a block of 144 (221 KB at d = 384).
    /// </summary>
    public float[] CreateQueryBuffer(int queries = QueryBlock) => new float[TiledRows(Math.Min(queries, QueryBlock)) * Dimension];

    /// <summary><paramref name="count"/> queries rounded up to whole micro-tiles: the rows the register tile reads.</summary>
    private static int TiledRows(int count) => (count + QueryTile - 1) / QueryTile * QueryTile;

    /// <summary>The kernels read whole tiles without bounds checks: a buffer sized for fewer queries is refused, not overrun.</summary>
    private void RequireRows(float[] queryRows, int count)
    {
        if ((uint)count > QueryBlock) throw new ArgumentOutOfRangeException(nameof(count));
        if (queryRows.Length < TiledRows(count) * Dimension)
            throw new ArgumentException($"The query buffer holds {queryRows.Length} floats, fewer than {count} queries' whole tiles need ({TiledRows(count) * Dimension}).", nameof(queryRows));
    }

    /// <summary>Creates the scratch of the buffered selection (<see cref="SearchBlock{TFilter}(float[], int, int, TopKSelector[], ref TFilter, CandidateBlock?)"/>).</summary>
    public CandidateBlock CreateCandidateBlock(int queries = QueryBlock) => new(Dimension, queries);

    /// <summary>
    /// Leaves each selector of queries 0..<paramref name="count"/>-1 of the block holding what it holds once offered
    /// every row that could enter.
    /// </summary>
    /// <param name="queryRows">The block's query vectors, row-major (from <see cref="CreateQueryBuffer"/>); rows past
    /// <paramref name="count"/> are ignored.</param>
    /// <param name="count">Queries in the block, at most <see cref="QueryBlock"/>.</param>
    /// <param name="firstQuery">The block's first query index, passed on to <paramref name="filter"/>.</param>
    /// <param name="selectors">One reset selector per query of the block.</param>
    /// <param name="filter">Which rows each query may receive.</param>
    /// <param name="candidates">
    /// Optional scratch (<see cref="CreateCandidateBlock"/>): when every list is at least <see cref="MinBufferedK"/> long,
    /// rows that could enter are gathered in buffers instead of offered one by one, and each list is proven from them
    /// (<see cref="CandidateBuffer"/>) and loaded into its selector; a list that cannot be proven is scanned again with
    /// the selector. Same lists, same scores; cheaper for long lists, where the selector's heap updates cost more than
    /// the dot products.
    /// </param>
    public void SearchBlock<TFilter>(float[] queryRows, int count, int firstQuery, TopKSelector[] selectors, ref TFilter filter, CandidateBlock? candidates = null)
        where TFilter : struct, ICandidateFilter
    {
        RequireRows(queryRows, count);
        if (selectors.Length < count) throw new ArgumentException($"There are {selectors.Length} selectors for {count} queries.", nameof(selectors));
        if (candidates != null && candidates.Buffers.Length < count)
            throw new ArgumentException($"The candidate block holds {candidates.Buffers.Length} buffers for {count} queries: create it for the block's queries.", nameof(candidates));
        if (candidates == null || !LongLists(selectors, count))
        {
            if (_wide) Search<Vector512<float>, Lanes512, TFilter>(queryRows, count, firstQuery, selectors, ref filter);
            else Search<Vector256<float>, Lanes256, TFilter>(queryRows, count, firstQuery, selectors, ref filter);
            return;
        }
        for (int q = 0; q < count; q++)
        {
            candidates.Buffers[q].Reset(selectors[q].K);
            candidates.Bounds[q] = candidates.Buffers[q].Bound;
        }
        if (_wide) Gather<Vector512<float>, Lanes512, TFilter>(queryRows, count, firstQuery, candidates, ref filter);
        else Gather<Vector256<float>, Lanes256, TFilter>(queryRows, count, firstQuery, candidates, ref filter);
        for (int q = 0; q < count; q++)
        {
            if (candidates.TryLoad(q, selectors[q])) continue;
            // Not proven (near-ties across the buffer's cut): the selector's own scan of this query, as without buffers.
            candidates.Rescans++;
            int d = Dimension;
            Array.Copy(queryRows, q * d, candidates.SingleQuery, 0, d);
            candidates.SingleSelector[0] = selectors[q];
            selectors[q].Reset(selectors[q].K);
            if (_wide) Search<Vector512<float>, Lanes512, TFilter>(candidates.SingleQuery, 1, firstQuery + q, candidates.SingleSelector, ref filter);
            else Search<Vector256<float>, Lanes256, TFilter>(candidates.SingleQuery, 1, firstQuery + q, candidates.SingleSelector, ref filter);
        }
    }

    /// <summary>
    /// As <see cref="SearchBlock{TFilter}(float[], int, int, TopKSelector[], ref TFilter, CandidateBlock?)"/> for several
    /// rescalings of the rows at once: each score is computed once and offered, times row r's factor of scale s
    /// (<paramref name="rowScales"/>[s][r]), to <paramref name="selectors"/>[s]. One scan for what would be one per scale
    /// of rescaled rows, whose floats it matches up to the rounding of the product (the scale is applied after the dot
    /// product instead of to each coordinate); ties and filters as there.
    /// </summary>
    /// <param name="queryRows">The block's query vectors, row-major.</param>
    /// <param name="count">Queries in the block, at most <see cref="QueryBlock"/>.</param>
    /// <param name="firstQuery">The block's first query index, passed on to <paramref name="filter"/>.</param>
    /// <param name="rowScales">Per scale, one factor per row (at least <see cref="Rows"/>).</param>
    /// <param name="selectors">Per scale, one reset selector per query of the block.</param>
    /// <param name="filter">Which rows each query may receive.</param>
    public void SearchBlockScaled<TFilter>(float[] queryRows, int count, int firstQuery, IReadOnlyList<float[]> rowScales, TopKSelector[][] selectors, ref TFilter filter)
        where TFilter : struct, ICandidateFilter
    {
        RequireRows(queryRows, count);
        if (rowScales.Count != selectors.Length) throw new ArgumentException("Every scale needs its selectors.", nameof(selectors));
        foreach (var scale in rowScales)
            if (scale.Length < Rows) throw new ArgumentException($"A scale has {scale.Length} factors for {Rows} rows.", nameof(rowScales));
        if (_wide) SearchScaled<Vector512<float>, Lanes512, TFilter>(queryRows, count, firstQuery, rowScales, selectors, ref filter);
        else SearchScaled<Vector256<float>, Lanes256, TFilter>(queryRows, count, firstQuery, rowScales, selectors, ref filter);
    }

    private void SearchScaled<TVector, TLanes, TFilter>(float[] queryRows, int count, int firstQuery, IReadOnlyList<float[]> rowScales, TopKSelector[][] selectors,
        ref TFilter filter)
        where TVector : struct
        where TLanes : struct, ISimdLanes<TVector>
        where TFilter : struct, ICandidateFilter
    {
        int lanes = TLanes.Count, width = 2 * lanes, scales = rowScales.Count;
        var bounds = new float[scales * QueryBlock];
        for (int s = 0; s < scales; s++)
            for (int q = 0; q < count; q++) bounds[s * QueryBlock + q] = selectors[s][q].EntryBound;
        Span<float> panelScores = stackalloc float[QueryBlock * width];
        Span<float> scaled = stackalloc float[QueryBlock * width];
        // The last panel's padding rows are read as factors too; they are never offered.
        Span<float> factors = stackalloc float[width];
        for (int p = 0; p < Panels; p++)
        {
            ScorePanel<TVector, TLanes>(queryRows, count, p, panelScores);
            int firstRow = p * width, inPanel = Math.Min(width, Rows - firstRow);
            for (int s = 0; s < scales; s++)
            {
                factors.Clear();
                rowScales[s].AsSpan(firstRow, inPanel).CopyTo(factors);
                var f0 = TLanes.Load(ref MemoryMarshal.GetReference(factors), 0);
                var f1 = TLanes.Load(ref MemoryMarshal.GetReference(factors), (nuint)lanes);
                ref float from = ref MemoryMarshal.GetReference(panelScores);
                ref float to = ref MemoryMarshal.GetReference(scaled);
                for (int q = 0; q < count; q++)
                {
                    TLanes.Store(TLanes.Multiply(TLanes.Load(ref from, (nuint)(q * width)), f0), ref to, (nuint)(q * width));
                    TLanes.Store(TLanes.Multiply(TLanes.Load(ref from, (nuint)(q * width + lanes)), f1), ref to, (nuint)(q * width + lanes));
                }
                OfferPanel<TVector, TLanes, TFilter>(scaled, count, firstRow, bounds.AsSpan(s * QueryBlock, QueryBlock), selectors[s], firstQuery, ref filter);
            }
        }
    }

    /// <summary>True when every list of the block is at least <see cref="MinBufferedK"/> long.</summary>
    private static bool LongLists(TopKSelector[] selectors, int count)
    {
        for (int q = 0; q < count; q++)
            if (selectors[q].K < MinBufferedK) return false;
        return true;
    }

    private void Search<TVector, TLanes, TFilter>(float[] queryRows, int count, int firstQuery, TopKSelector[] selectors, ref TFilter filter)
        where TVector : struct
        where TLanes : struct, ISimdLanes<TVector>
        where TFilter : struct, ICandidateFilter
    {
        int width = 2 * TLanes.Count;
        Span<float> bounds = stackalloc float[QueryBlock];
        for (int q = 0; q < count; q++) bounds[q] = selectors[q].EntryBound;
        // One panel's scores for the whole block; filtered once the panel is done, outside the register tile.
        Span<float> panelScores = stackalloc float[QueryBlock * width];
        for (int p = 0; p < Panels; p++)
        {
            ScorePanel<TVector, TLanes>(queryRows, count, p, panelScores);
            OfferPanel<TVector, TLanes, TFilter>(panelScores, count, p * width, bounds, selectors, firstQuery, ref filter);
        }
    }

    /// <summary>As <see cref="Search{TVector, TLanes, TFilter}"/>, gathering candidates into buffers instead of offering them.</summary>
    private void Gather<TVector, TLanes, TFilter>(float[] queryRows, int count, int firstQuery, CandidateBlock candidates, ref TFilter filter)
        where TVector : struct
        where TLanes : struct, ISimdLanes<TVector>
        where TFilter : struct, ICandidateFilter
    {
        int width = 2 * TLanes.Count;
        Span<float> panelScores = stackalloc float[QueryBlock * width];
        for (int p = 0; p < Panels; p++)
        {
            ScorePanel<TVector, TLanes>(queryRows, count, p, panelScores);
            GatherPanel<TVector, TLanes, TFilter>(panelScores, count, p * width, candidates, firstQuery, ref filter);
        }
    }

    /// <summary>Scores the block's <paramref name="count"/> queries against panel <paramref name="p"/> into <paramref name="panelScores"/> (query-major, one panel width per query), one register tile at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ScorePanel<TVector, TLanes>(float[] queryRows, int count, int p, Span<float> panelScores)
        where TVector : struct
        where TLanes : struct, ISimdLanes<TVector>
    {
        int d = Dimension;
        int width = 2 * TLanes.Count;
        ref float tile = ref MemoryMarshal.GetReference(panelScores);
        ref float queryBase = ref MemoryMarshal.GetArrayDataReference(queryRows);
        ref float panel = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_packed), (nint)p * d * width);
        for (int t = 0; t < count; t += QueryTile)
            RegisterTile.Score<TVector, TLanes>(ref Unsafe.Add(ref queryBase, t * d), d, ref panel, ref Unsafe.Add(ref tile, t * width));
    }

    /// <summary>Appends, for each query of the block, the eligible rows of one panel whose scores reach its buffer's bound.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void GatherPanel<TVector, TLanes, TFilter>(Span<float> panelScores, int count, int firstRow, CandidateBlock candidates, int firstQuery, ref TFilter filter)
        where TVector : struct
        where TLanes : struct, ISimdLanes<TVector>
        where TFilter : struct, ICandidateFilter
    {
        int width = 2 * TLanes.Count;
        ref float scores = ref MemoryMarshal.GetReference(panelScores);
        var bounds = candidates.Bounds;
        for (int q = 0; q < count; q++)
        {
            ref float s = ref Unsafe.Add(ref scores, q * width);
            ulong mask = RegisterTile.AtLeast<TVector, TLanes>(ref s, bounds[q]);
            if (mask == 0) continue;
            var buffer = candidates.Buffers[q];
            do
            {
                int lane = BitOperations.TrailingZeroCount(mask);
                mask &= mask - 1;
                int row = firstRow + lane;
                if (row >= Rows || !filter.Accepts(firstQuery + q, row)) continue;
                buffer.Add(Unsafe.Add(ref s, lane), row);
            }
            while (mask != 0);
            bounds[q] = buffer.Bound;
        }
    }

    /// <summary>
    /// Offers, for each query of the block, the rows of one panel whose scores pass its entry bound, in ascending
    /// row order (the order a plain scan would offer them), and tightens the bound afterwards.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void OfferPanel<TVector, TLanes, TFilter>(Span<float> panelScores, int count, int firstRow, Span<float> bounds,
        TopKSelector[] selectors, int firstQuery, ref TFilter filter)
        where TVector : struct
        where TLanes : struct, ISimdLanes<TVector>
        where TFilter : struct, ICandidateFilter
    {
        int lanes = TLanes.Count;
        int width = 2 * lanes;
        ref float scores = ref MemoryMarshal.GetReference(panelScores);
        for (int q = 0; q < count; q++)
        {
            ref float s = ref Unsafe.Add(ref scores, q * width);
            ulong mask = RegisterTile.AtLeast<TVector, TLanes>(ref s, bounds[q]);
            if (mask == 0) continue;
            var selector = selectors[q];
            do
            {
                int lane = BitOperations.TrailingZeroCount(mask);
                mask &= mask - 1;
                int row = firstRow + lane;
                float score = Unsafe.Add(ref s, lane);
                if (row >= Rows || !selector.MightEnter(score) || !filter.Accepts(firstQuery + q, row)) continue;
                selector.Offer(score, row);
            }
            while (mask != 0);
            bounds[q] = selector.EntryBound;
        }
    }
}
