namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The divide-and-conquer model's cluster of each item row an item column lists (<see cref="Rows"/>, ascending), over its
/// <see cref="ClusterCount"/> clusters: what taking the model's clusters and checking a stage's clusters against them read,
/// without the encoder's n × d input vectors.
/// </summary>
internal sealed record DivideConquerItemClusters(int[] Rows, int[] Clusters, int ClusterCount)
{
    /// <summary>The model's cluster of item row <paramref name="row"/>, or -1 when the model has none (no edge at its fit).</summary>
    public int ClusterOf(int row)
    {
        int at = Array.BinarySearch(Rows, row);
        return at < 0 ? -1 : Clusters[at];
    }
}
