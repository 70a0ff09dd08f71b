using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Benchmarks;

/// <summary>
/// How many item dot products cluster-quota retrieval does per user, counted outside the engine: each component
/// scores every member of its cluster except the user's training items (<see cref="ClusterQuotaRetriever"/> skips
/// those before the dot product). The unimodal baseline scores all items.
/// </summary>
/// <param name="Items">Items in the catalogue.</param>
/// <param name="MeanScannedItems">Mean over users of the summed sizes of their components' clusters.</param>
/// <param name="MeanDotProducts">The same without the user's own training items: the dot products actually computed.</param>
/// <param name="MaxDotProducts">The largest per-user count.</param>
/// <param name="FractionOfItems">MeanDotProducts / Items.</param>
internal sealed record QuotaWork(int Items, double MeanScannedItems, double MeanDotProducts, long MaxDotProducts, double FractionOfItems)
{
    /// <summary>Counts the work of retrieving for <paramref name="users"/> from <paramref name="mixtures"/>.</summary>
    public static QuotaWork Count(MixtureTable mixtures, IReadOnlyList<int> users, ItemClustering clustering, BipartiteGraph train)
    {
        long scanned = 0, dots = 0, max = 0;
        foreach (int user in users)
        {
            var clusters = mixtures.Clusters(user);
            long own = 0;
            foreach (int c in clusters) own += clustering.MembersOf(c).Length;
            long excluded = 0;
            foreach (int item in train.ItemsOf(user))
                if (clusters.Contains(clustering.ClusterOf(item))) excluded++;
            scanned += own;
            dots += own - excluded;
            max = Math.Max(max, own - excluded);
        }
        double n = Math.Max(1, users.Count);
        return new QuotaWork(clustering.ItemCount, JsonReport.Round(scanned / n, 1), JsonReport.Round(dots / n, 1), max,
            JsonReport.Round(dots / n / clustering.ItemCount, 5));
    }
}
