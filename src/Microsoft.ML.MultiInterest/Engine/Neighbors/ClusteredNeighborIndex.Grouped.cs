namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The clustered index's scan, grouped by list: a block of queries (sorted so that they share lists) scores each
/// probed list once for all the block's queries that probe it, several queries per loaded panel. Each score lands at
/// a fixed place of its query's buffer, and each query then offers its scores in its own probe order, exactly as a
/// query-by-query scan would: the grouping changes which loads serve which FMAs, never a score or an offer.
/// </summary>
public sealed partial class ClusteredNeighborIndex
{
    /// <summary>Queries per parallel work item of the grouped scan: more share more lists, but their score buffers
    /// (each query's probed rows) should stay in the core's cache until offered.</summary>
    private const int GroupBlock = 64;

    private void ScanBlock(ReadOnlySpan<int> members, float[] unit, int[] probes, int[]? excludeRows, RankedLists result, Scratch s)
    {
        int width = _lists.Width;
        int pairs = members.Length * _probes;

        // Pair (query i, probe p) gets its list's scores at an offset: a query's lists back to back, in probe order.
        int total = 0;
        for (int pair = 0; pair < pairs; pair++)
        {
            s.PairOffsets[pair] = total;
            total += _lists.PanelCount(ProbedList(members, probes, pair)) * width;
        }
        s.EnsureScores(total);

        // Group the pairs by list with a counting sort over the lists the block touches (in first-touch order).
        int touched = 0;
        for (int pair = 0; pair < pairs; pair++)
        {
            int list = ProbedList(members, probes, pair);
            if (s.ListCursor[list]++ == 0) s.Touched[touched++] = list;
        }
        int position = 0;
        for (int t = 0; t < touched; t++)
        {
            int list = s.Touched[t];
            s.GroupStart[t] = position;
            position += s.ListCursor[list];
            s.ListCursor[list] = s.GroupStart[t];
        }
        s.GroupStart[touched] = position;
        for (int pair = 0; pair < pairs; pair++) s.Grouped[s.ListCursor[ProbedList(members, probes, pair)]++] = pair;

        for (int t = 0; t < touched; t++)
        {
            int list = s.Touched[t];
            s.ListCursor[list] = 0;
            ScoreGroup(list, s.Grouped.AsSpan(s.GroupStart[t], s.GroupStart[t + 1] - s.GroupStart[t]), members, unit, s);
        }

        for (int i = 0; i < members.Length; i++)
        {
            int q = members[i];
            OfferQuery(q, i, excludeRows == null ? -1 : excludeRows[q], probes, result.Capacity, s);
            result.Counts[q] = s.Neighbors.Drain(result.IndexSlots(q), result.ScoreSlots(q));
        }
    }

    private int ProbedList(ReadOnlySpan<int> members, int[] probes, int pair) =>
        probes[members[pair / _probes] * _probes + pair % _probes];

    /// <summary>Scores one list for the pairs <paramref name="group"/>, a tile of queries at a time; a short last tile
    /// repeats its last query, whose extra scores are dropped.</summary>
    private void ScoreGroup(int list, ReadOnlySpan<int> group, ReadOnlySpan<int> members, float[] unit, Scratch s)
    {
        int panels = _lists.PanelCount(list);
        if (panels == 0) return;
        int d = Dimension;
        const int tileQueries = PanelQueryTile.Queries;
        for (int g = 0; g < group.Length; g += tileQueries)
        {
            int used = Math.Min(tileQueries, group.Length - g);
            for (int r = 0; r < tileQueries; r++)
            {
                int pair = group[g + Math.Min(r, used - 1)];
                unit.AsSpan(members[pair / _probes] * d, d).CopyTo(s.QueryTile.AsSpan(r * d, d));
                s.TileOffsets[r] = s.PairOffsets[pair];
            }
            _lists.ScoreQueries(s.QueryTile, used, _lists.FirstPanel(list), panels, s.Tile, s.Scores, s.TileOffsets);
        }
    }

    /// <summary>Offers query <paramref name="q"/>'s scores (block position <paramref name="i"/>) list by list in its
    /// probe order, rows in list order; rows that cannot enter are skipped by the selector's bound.</summary>
    private void OfferQuery(int q, int i, int exclude, int[] probes, int k, Scratch s)
    {
        var top = s.Neighbors;
        top.Reset(k);
        float bound = top.EntryBound;
        int width = _lists.Width;
        var ids = _lists.Ids;
        var scores = s.Scores;
        for (int p = 0; p < _probes; p++)
        {
            int list = probes[q * _probes + p];
            int offset = s.PairOffsets[i * _probes + p];
            int slotBase = _lists.FirstPanel(list) * width;
            int slots = _lists.PanelCount(list) * width;
            for (int slot = 0; slot < slots; slot++)
            {
                float score = scores[offset + slot];
                if (score < bound) continue;
                int row = ids[slotBase + slot];
                // Padding slots (-1) and the query's own row never enter.
                if (row < 0 || row == exclude) continue;
                top.Offer(score, row);
                bound = top.EntryBound;
            }
        }
    }

    /// <summary>The grouped scan's per-thread buffers.</summary>
    private sealed partial class Scratch
    {
        public int[] PairOffsets { get; } = new int[GroupBlock * index._probes];

        public int[] Grouped { get; } = new int[GroupBlock * index._probes];

        /// <summary>Per list, its pair count then its group's next slot; back to zero after each block.</summary>
        public int[] ListCursor { get; } = new int[index.Lists];

        public int[] Touched { get; } = new int[Math.Min(index.Lists, GroupBlock * index._probes)];

        public int[] GroupStart { get; } = new int[Math.Min(index.Lists, GroupBlock * index._probes) + 1];

        public float[] QueryTile { get; } = new float[PanelQueryTile.Queries * index.Dimension];

        public float[] Tile { get; } = new float[PanelQueryTile.Queries * 2 * index._lists.Width];

        public int[] TileOffsets { get; } = new int[PanelQueryTile.Queries];

        /// <summary>Centroid scores of a tile of queries, <see cref="CentroidSlots"/> per query.</summary>
        public float[] TileCentroidScores { get; } = new float[PanelQueryTile.Queries * index._centroids.PanelCount(0) * index._centroids.Width];

        /// <summary>The block's scores, pair by pair; grown (per block, not per query) when a block probes more rows.</summary>
        public float[] Scores { get; private set; } = [];

        public void EnsureScores(int length)
        {
            if (Scores.Length < length) Scores = new float[Math.Max(length, 2 * Scores.Length)];
        }
    }
}
