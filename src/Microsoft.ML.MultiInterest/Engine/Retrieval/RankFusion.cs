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
        RetrievalLimits.Check(k, nameof(k), "The fused list length K");
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
        var row = new RankFusionRow(longest);
        for (int q = 0; q < queries; q++)
        {
            row.Clear();
            for (int l = 0; l < sources.Count; l++) row.AddList(sources[l].IndicesOf(q), weights[l], l);
            result.Counts[q] = row.TakeBest(result.IndexSlots(q), result.ScoreSlots(q));
        }
        return result;
    }
}
