namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// A partition of the items into clusters ("interests"): the cluster of every item, the member items of
/// every cluster in ascending item order, and one unit-length centroid per cluster.
/// </summary>
public sealed class ItemClustering
{
    private readonly int[] _assignments;
    private readonly int[] _offsets;
    private readonly int[] _members;

    private ItemClustering(int[] assignments, int clusterCount, int[] offsets, int[] members, EmbeddingMatrix centroids)
    {
        _assignments = assignments;
        ClusterCount = clusterCount;
        _offsets = offsets;
        _members = members;
        Centroids = centroids;
    }

    /// <summary>Number of clusters (some may be empty).</summary>
    public int ClusterCount { get; }

    /// <summary>Number of items.</summary>
    public int ItemCount => _assignments.Length;

    /// <summary>The cluster of each item.</summary>
    public ReadOnlySpan<int> Assignments => _assignments;

    /// <summary>Unit-length centroid of each cluster (a zero row for an empty cluster).</summary>
    public EmbeddingMatrix Centroids { get; }

    /// <summary>The cluster of <paramref name="item"/>.</summary>
    /// <param name="item">An item index, 0 to the item count - 1.</param>
    /// <returns>The cluster index (0-based).</returns>
    public int ClusterOf(int item) => _assignments[item];

    /// <summary>The items of <paramref name="cluster"/>, ascending (a divide-and-conquer model's items without edges are in none).</summary>
    /// <param name="cluster">A cluster index, 0 to <see cref="ClusterCount"/> - 1.</param>
    /// <returns>A view of the member item indices, no copy.</returns>
    public ReadOnlySpan<int> MembersOf(int cluster) => _members.AsSpan(_offsets[cluster], _offsets[cluster + 1] - _offsets[cluster]);

    /// <summary>
    /// Where <paramref name="cluster"/>'s members start in the concatenation of all clusters' <see cref="MembersOf"/>
    /// lists (cluster 0's first, then cluster 1's, ...): the row of its first member in a cluster-ordered copy of the items.
    /// </summary>
    internal int MembersStart(int cluster) => _offsets[cluster];

    /// <summary>
    /// Builds a clustering from per-item assignments. When <paramref name="centroids"/> is null, each
    /// centroid is the normalised sum of its members' unit-normalised embeddings (the spherical k-means centroid).
    /// </summary>
    /// <param name="assignments">Cluster index of every item, each in 0..<paramref name="clusterCount"/>-1.</param>
    /// <param name="clusterCount">Number of clusters.</param>
    /// <param name="items">Item embeddings, one row per item.</param>
    /// <param name="centroids">Optional centroids (rows are normalised on the way in).</param>
    /// <returns>The clustering.</returns>
    public static ItemClustering Create(int[] assignments, int clusterCount, EmbeddingMatrix items, EmbeddingMatrix? centroids = null)
    {
        ArgumentNullException.ThrowIfNull(assignments);
        ArgumentNullException.ThrowIfNull(items);
        if (clusterCount < 1) throw new ArgumentOutOfRangeException(nameof(clusterCount), clusterCount, "There must be at least one cluster.");
        // Every table is sized by the cluster count: a stray huge count (a cluster file's id) would take gigabytes for a few items.
        if (clusterCount > Math.Max(1, assignments.Length))
            throw new ArgumentOutOfRangeException(nameof(clusterCount), clusterCount, $"There are {clusterCount} clusters for {assignments.Length} items: at most one cluster per item.");
        if (assignments.Length != items.Rows)
            throw new ArgumentException($"There are {assignments.Length} cluster assignments for {items.Rows} items.", nameof(assignments));
        if (centroids != null && (centroids.Rows != clusterCount || centroids.Dimension != items.Dimension))
            throw new ArgumentException($"Centroids must be {clusterCount} x {items.Dimension}, not {centroids.Rows} x {centroids.Dimension}.", nameof(centroids));

        var (offsets, members) = Index(assignments, clusterCount);

        EmbeddingMatrix finalCentroids;
        if (centroids != null)
        {
            finalCentroids = centroids.Normalized();
        }
        else
        {
            finalCentroids = new EmbeddingMatrix(clusterCount, items.Dimension);
            var sum = new double[items.Dimension];
            for (int c = 0; c < clusterCount; c++)
            {
                Array.Clear(sum);
                for (int p = offsets[c]; p < offsets[c + 1]; p++)
                {
                    var row = items.ReadRow(members[p]);
                    double norm = VectorMath.Norm(row);
                    if (norm == 0) continue;
                    for (int d = 0; d < sum.Length; d++) sum[d] += row[d] / norm;
                }
                VectorMath.StoreNormalized(sum, finalCentroids.Row(c));
            }
        }
        return new ItemClustering(assignments, clusterCount, offsets, members, finalCentroids);
    }

    /// <summary>
    /// This clustering with its items from <paramref name="from"/> on (the items folded in between two fits, which a later
    /// fold-in may solve again) in clusters <paramref name="clusters"/>, the items after its own appended in order: the same
    /// centroids (not moved by the new members), so every item before <paramref name="from"/> keeps its cluster.
    /// </summary>
    /// <param name="from">The first item placed anew (at most <see cref="ItemCount"/>).</param>
    /// <param name="clusters">The cluster of each item from <paramref name="from"/> on.</param>
    internal ItemClustering WithItems(int from, ReadOnlySpan<int> clusters)
    {
        int[] assignments = [.. _assignments.AsSpan(0, from), .. clusters];
        var (offsets, members) = Index(assignments, ClusterCount);
        return new ItemClustering(assignments, ClusterCount, offsets, members, Centroids);
    }

    /// <summary>
    /// <see cref="Create"/>'s clustering with the items flagged in <paramref name="unlisted"/> left out of every cluster's
    /// <see cref="MembersOf"/> (each keeps its assignment for <see cref="ClusterOf"/>): a model spread back to a key range
    /// holds zero rows for the keys without edges, which a search inside a cluster would rank at score 0, above every item
    /// of negative score.
    /// </summary>
    internal static ItemClustering CreateUnlisting(int[] assignments, int clusterCount, EmbeddingMatrix items, bool[] unlisted)
    {
        var clustering = Create(assignments, clusterCount, items);
        var (offsets, members) = Index(assignments, clusterCount, unlisted);
        return new ItemClustering(assignments, clusterCount, offsets, members, clustering.Centroids);
    }

    /// <summary>Each cluster's members, ascending, concatenated, and where each cluster's start (a counting sort of the items by cluster); items flagged in <paramref name="unlisted"/> are in no cluster's members.</summary>
    private static (int[] Offsets, int[] Members) Index(int[] assignments, int clusterCount, bool[]? unlisted = null)
    {
        var offsets = new int[clusterCount + 1];
        for (int i = 0; i < assignments.Length; i++)
        {
            int c = assignments[i];
            if ((uint)c >= (uint)clusterCount)
                throw new ArgumentOutOfRangeException(nameof(assignments), $"Item {i} is assigned to cluster {c}, outside 0..{clusterCount - 1}.");
            if (unlisted == null || !unlisted[i]) offsets[c + 1]++;
        }
        for (int c = 0; c < clusterCount; c++) offsets[c + 1] += offsets[c];
        var members = new int[offsets[clusterCount]];
        var cursor = (int[])offsets.Clone();
        for (int i = 0; i < assignments.Length; i++)
            if (unlisted == null || !unlisted[i]) members[cursor[assignments[i]]++] = i;
        return (offsets, members);
    }
}
