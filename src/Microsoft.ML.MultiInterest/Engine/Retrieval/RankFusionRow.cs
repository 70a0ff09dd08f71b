namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// One query's fusion (<see cref="RankFusion"/>): the sources' entries are added, then the best K distinct items are taken.
/// The buffer is reused from query to query, so fusing allocates only when a query has more entries than any before it.
/// Not thread-safe: one per thread or cursor.
/// </summary>
internal sealed class RankFusionRow
{
    private static readonly Comparison<Entry> FusedOrder = Entry.Compare;
    private static readonly Comparison<Entry> ByItemThenFusedOrder = (a, b) => a.Item != b.Item ? a.Item.CompareTo(b.Item) : Entry.Compare(a, b);

    private Entry[] _entries;
    private int _count;

    public RankFusionRow(int capacity = 0)
    {
        _entries = new Entry[Math.Max(capacity, 4)];
    }

    /// <summary>Forgets the previous query's entries.</summary>
    public void Clear() => _count = 0;

    /// <summary>Adds a source's list: the item at position r scores <c>weight / (r + 1)</c>. A weight of 0 adds nothing.</summary>
    public void AddList(ReadOnlySpan<int> items, double weight, int source)
    {
        if (weight == 0) return;
        if (_count + items.Length > _entries.Length) Array.Resize(ref _entries, Math.Max(_count + items.Length, 2 * _entries.Length));
        for (int r = 0; r < items.Length; r++) _entries[_count++] = new Entry(items[r], weight / (r + 1), source, r);
    }

    /// <summary>Adds one entry: <paramref name="item"/> at 0-based <paramref name="rank"/> of a source of weight <paramref name="weight"/> &gt; 0.</summary>
    public void Add(int item, double weight, int source, int rank)
    {
        if (_count == _entries.Length) Array.Resize(ref _entries, 2 * _entries.Length);
        _entries[_count++] = new Entry(item, weight / (rank + 1), source, rank);
    }

    /// <summary>
    /// Writes the best min(K, distinct items) items and their fused scores into <paramref name="items"/> and
    /// <paramref name="scores"/> (K = their length) and returns how many. When <paramref name="sources"/> and
    /// <paramref name="ranks"/> are not empty, they receive each kept item's best entry: the source that placed it and its
    /// 0-based rank there (the entry its fused score is).
    /// </summary>
    public int TakeBest(Span<int> items, Span<float> scores, Span<int> sources = default, Span<int> ranks = default)
    {
        // Each item's best entry: sort by item, then best first; keep the first of each item.
        var span = _entries.AsSpan(0, _count);
        span.Sort(ByItemThenFusedOrder);
        int distinct = 0;
        for (int j = 0; j < span.Length; j++)
            if (distinct == 0 || span[distinct - 1].Item != span[j].Item) span[distinct++] = span[j];
        var best = span[..distinct];
        best.Sort(FusedOrder);
        int count = Math.Min(items.Length, distinct);
        for (int j = 0; j < count; j++) (items[j], scores[j]) = (best[j].Item, (float)best[j].Score);
        for (int j = 0; j < count && !sources.IsEmpty; j++) (sources[j], ranks[j]) = (best[j].Source, best[j].Rank);
        return count;
    }

    /// <summary>One item's place in one source list.</summary>
    private readonly record struct Entry(int Item, double Score, int Source, int Rank)
    {
        /// <summary>Fused order: higher score, then the earlier source, then the better rank, then the lower item.</summary>
        public static int Compare(Entry a, Entry b) =>
            a.Score != b.Score ? b.Score.CompareTo(a.Score)
            : a.Source != b.Source ? a.Source.CompareTo(b.Source)
            : a.Rank != b.Rank ? a.Rank.CompareTo(b.Rank)
            : a.Item.CompareTo(b.Item);
    }
}
