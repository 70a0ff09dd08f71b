namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Merges the ranked lists of several retrievers by the round-robin rule of mixture retrieval (methods.md, section 1)
/// applied to whole lists: an item's fused score is <c>max_l w_l / rank_l(item)</c> (rank from 1; items absent from a
/// list get nothing from it), and the top K items are kept, each once. Two retrievers with different errors (e.g. a
/// learned model's round robin and history-interest MMR over another model's vectors) recall more together than either.
/// </summary>
/// <remarks>
/// Ties: equal fused scores go to the item whose best list comes first in the given order, then to its better rank
/// there, then to the lower item index. The result does not depend on the order of equal-weight duplicates within a
/// list: only an item's first (best) rank in each list counts.
/// </remarks>
public static class RankFusion
{
    /// <summary>Fuses one list per query from each source into lists of at most <paramref name="k"/> items.</summary>
    /// <param name="sources">The retrievers' lists, each with the same queries in the same order.</param>
    /// <param name="weights">w_l ≥ 0 per source (finite; at least one positive). A source of weight 0 contributes nothing.</param>
    /// <param name="k">K ≥ 1, the fused list length (shorter when the sources hold fewer distinct items).</param>
    /// <returns>The fused lists; scores are <c>w_l / rank_l</c> of each item's best source.</returns>
    public static RankedLists Fuse(IReadOnlyList<RankedLists> sources, IReadOnlyList<double> weights, int k)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(weights);
        if (sources.Count == 0) throw new ArgumentException("At least one source list is needed.", nameof(sources));
        if (weights.Count != sources.Count) throw new ArgumentException($"{sources.Count} sources need as many weights, not {weights.Count}.", nameof(weights));
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "The fused list length K must be at least 1.");
        bool anyPositive = false;
        for (int l = 0; l < weights.Count; l++)
        {
            if (!(weights[l] >= 0 && double.IsFinite(weights[l])))
                throw new ArgumentOutOfRangeException(nameof(weights), weights[l], $"Weight {l} must be finite and non-negative.");
            anyPositive |= weights[l] > 0;
        }
        if (!anyPositive) throw new ArgumentException("At least one weight must be positive.", nameof(weights));
        int queries = sources[0].QueryCount, longest = 0;
        for (int l = 0; l < sources.Count; l++)
        {
            ArgumentNullException.ThrowIfNull(sources[l], nameof(sources));
            if (sources[l].QueryCount != queries)
                throw new ArgumentException($"Source {l} has {sources[l].QueryCount} queries, source 0 {queries}: fuse lists of the same queries.", nameof(sources));
            longest += sources[l].Capacity;
        }

        var result = new RankedLists(queries, k);
        var entries = new Entry[longest];
        for (int q = 0; q < queries; q++)
        {
            int n = 0;
            for (int l = 0; l < sources.Count; l++)
            {
                if (weights[l] == 0) continue;
                var items = sources[l].IndicesOf(q);
                for (int r = 0; r < items.Length; r++) entries[n++] = new Entry(items[r], weights[l] / (r + 1), l, r);
            }
            // Each item's best entry: sort by item, then best first; keep the first of each item.
            var span = entries.AsSpan(0, n);
            span.Sort(ByItemThenFusedOrder);
            int distinct = 0;
            for (int j = 0; j < n; j++)
                if (distinct == 0 || span[distinct - 1].Item != span[j].Item) span[distinct++] = span[j];
            var best = span[..distinct];
            best.Sort(FusedOrder);
            int count = Math.Min(k, distinct);
            var indices = result.IndexSlots(q);
            var scores = result.ScoreSlots(q);
            for (int j = 0; j < count; j++) (indices[j], scores[j]) = (best[j].Item, (float)best[j].Score);
            result.Counts[q] = count;
        }
        return result;
    }

    private static readonly Comparison<Entry> FusedOrder = Entry.Compare;
    private static readonly Comparison<Entry> ByItemThenFusedOrder = (a, b) => a.Item != b.Item ? a.Item.CompareTo(b.Item) : Entry.Compare(a, b);

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
