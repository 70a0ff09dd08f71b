using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Benchmarks;

/// <summary>
/// How well k-means recovered the planted communities: purity (share of items in their cluster's majority community)
/// and inverse purity (share of items in their community's majority cluster). Both 1 means the same partition.
/// </summary>
/// <param name="Purity">Mean over items of "my cluster's majority community is mine".</param>
/// <param name="InversePurity">Mean over items of "my community's majority cluster is mine".</param>
internal sealed record PlantedAgreement(double Purity, double InversePurity)
{
    /// <summary>Compares <paramref name="clustering"/> with the planted <paramref name="community"/> of every item.</summary>
    public static PlantedAgreement Measure(ItemClustering clustering, int[] community, int communities)
    {
        var pairs = new long[community.Length];
        for (int i = 0; i < pairs.Length; i++) pairs[i] = (long)clustering.ClusterOf(i) * communities + community[i];
        Array.Sort(pairs);
        var bestOfCluster = new int[clustering.ClusterCount];
        var bestOfCommunity = new int[communities];
        for (int start = 0; start < pairs.Length;)
        {
            int end = start;
            while (end < pairs.Length && pairs[end] == pairs[start]) end++;
            int cluster = (int)(pairs[start] / communities), planted = (int)(pairs[start] % communities);
            bestOfCluster[cluster] = Math.Max(bestOfCluster[cluster], end - start);
            bestOfCommunity[planted] = Math.Max(bestOfCommunity[planted], end - start);
            start = end;
        }
        double n = community.Length;
        return new PlantedAgreement(JsonReport.Round(bestOfCluster.Sum() / n, 4), JsonReport.Round(bestOfCommunity.Sum() / n, 4));
    }
}
