namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The items a k-means stage clustered at Fit, with their cluster and similarity: rows (key - 1) ascending, looked up by
/// binary search, so the memory follows the clustered items, not the item key range.
/// </summary>
internal sealed class FittedItems
{
    public FittedItems(int keyCount, int[] rows, int[] clusters, float[] similarities)
    {
        if (rows.Length != clusters.Length || rows.Length != similarities.Length)
            throw new ArgumentException($"{rows.Length} fitted items with {clusters.Length} clusters and {similarities.Length} similarities.");
        KeyCount = keyCount;
        Rows = rows;
        Clusters = clusters;
        Similarities = similarities;
    }

    /// <summary>The item key range (0 without an item column).</summary>
    public int KeyCount { get; }

    /// <summary>The rows (key - 1) of the fitted items, ascending.</summary>
    public int[] Rows { get; }

    /// <summary>The cluster index (0-based) of each fitted item.</summary>
    public int[] Clusters { get; }

    /// <summary>The cosine similarity of each fitted item to its centroid.</summary>
    public float[] Similarities { get; }

    /// <summary>The index of item key <paramref name="itemKey"/> among the fitted items, or -1.</summary>
    public int IndexOf(uint itemKey)
    {
        if (itemKey == 0 || itemKey > (uint)KeyCount) return -1;
        int index = Array.BinarySearch(Rows, (int)itemKey - 1);
        return index >= 0 ? index : -1;
    }

    /// <summary>
    /// The keys of the items fitted into <paramref name="cluster"/> of <paramref name="clusterCount"/>, most central first (by
    /// descending cosine to the centroid, ties to the lower key); one scan of the fitted items.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cluster"/> is not in [0, <paramref name="clusterCount"/>).</exception>
    public uint[] ItemsOfCluster(int cluster, int clusterCount)
    {
        if ((uint)cluster >= (uint)clusterCount)
            throw new ArgumentOutOfRangeException(nameof(cluster), cluster, $"cluster must lie in [0, {clusterCount}) (0-based: the cluster key minus 1).");
        var members = new List<int>();
        for (int i = 0; i < Clusters.Length; i++)
            if (Clusters[i] == cluster) members.Add(i);
        // Rows ascend, so a stable sort by similarity keeps the lower key first among equal ones.
        return members.OrderByDescending(i => Similarities[i]).Select(i => (uint)Rows[i] + 1).ToArray();
    }

    /// <summary>The fitted cluster of item key <paramref name="itemKey"/>, or -1.</summary>
    public int ClusterOf(uint itemKey)
    {
        int index = IndexOf(itemKey);
        return index < 0 ? -1 : Clusters[index];
    }
}
