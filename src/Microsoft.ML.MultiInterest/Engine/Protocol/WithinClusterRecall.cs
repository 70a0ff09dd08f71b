using System.Numerics.Tensors;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Recall@M inside the held-out item's own cluster (the divide-and-conquer paper's second table): each user's target is
/// ranked among the items of its cluster that the user has not seen, by the user's query for that cluster, and counts as
/// a hit at M when fewer than M of them rank above it. It measures the ranking quotas rely on (retrieval never compares
/// items across clusters), apart from how the slots are shared between clusters.
/// </summary>
internal static class WithinClusterRecall
{
    /// <summary>The share of <paramref name="users"/> whose target is within the top M of its cluster, for each M in <paramref name="cutoffs"/>.</summary>
    /// <param name="items">The item vectors the queries score.</param>
    /// <param name="clustering">The item clusters.</param>
    /// <param name="seen">Each user's seen items (excluded from the ranking; the target must not be among them).</param>
    /// <param name="users">The evaluated users (rows of <paramref name="seen"/>).</param>
    /// <param name="targets">Each listed user's held-out item (entry j for <paramref name="users"/>[j]).</param>
    /// <param name="queries">Row j: user j's query for its target's cluster (e.g. <see cref="DivideConquerModel.ClusterQueries"/>).</param>
    /// <param name="cutoffs">The cutoffs M.</param>
    /// <remarks>An item scoring the same as the target ranks above it when its index is lower (the retrievers' tie rule).</remarks>
    public static double[] Compute(EmbeddingMatrix items, ItemClustering clustering, BipartiteGraph seen, IReadOnlyList<int> users,
        IReadOnlyList<int> targets, EmbeddingMatrix queries, IReadOnlyList<int> cutoffs)
    {
        if (targets.Count != users.Count || queries.Rows != users.Count)
            throw new ArgumentException($"{users.Count} users need as many targets and query rows, not {targets.Count} and {queries.Rows}.", nameof(targets));
        if (clustering.ItemCount != items.Rows || seen.ItemCount != items.Rows)
            throw new ArgumentException($"The clustering has {clustering.ItemCount} items, the graph {seen.ItemCount}, the item vectors {items.Rows}.", nameof(clustering));
        var hits = new int[cutoffs.Count];
        for (int j = 0; j < users.Count; j++)
        {
            int target = targets[j];
            var query = queries.ReadRow(j);
            int user = users[j];
            if (seen.Contains(user, target))
                throw new ArgumentException($"User {user}'s target item {target} is among its seen items.", nameof(targets));
            float targetScore = TensorPrimitives.Dot(query, items.ReadRow(target));
            int above = 0;
            foreach (int item in clustering.MembersOf(clustering.ClusterOf(target)))
            {
                if (item == target || seen.Contains(user, item)) continue;
                float score = TensorPrimitives.Dot(query, items.ReadRow(item));
                if (score > targetScore || (score == targetScore && item < target)) above++;
            }
            for (int t = 0; t < cutoffs.Count; t++)
                if (above < cutoffs[t]) hits[t]++;
        }
        return hits.Select(h => users.Count == 0 ? 0 : (double)h / users.Count).ToArray();
    }
}
