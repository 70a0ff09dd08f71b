namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Scratch space to count one user's training items per cluster and to form the per-cluster
/// normalised sums of their embeddings (centroid(c, u) in the protocol). One instance per thread; reused
/// across users so nothing is allocated per user.
/// </summary>
internal sealed class UserClusterProfile
{
    private readonly int[] _countByCluster;
    private readonly List<int> _touched = new();

    public UserClusterProfile(int clusterCount) => _countByCluster = new int[clusterCount];

    /// <summary>Clusters the current user has items in (unordered).</summary>
    public List<int> Touched => _touched;

    /// <summary>The current user's item count in <paramref name="cluster"/>.</summary>
    public int CountOf(int cluster) => _countByCluster[cluster];

    /// <summary>Counts the items of one user per cluster, replacing the previous user's counts.</summary>
    public void Load(ReadOnlySpan<int> items, ItemClustering clustering)
    {
        foreach (int c in _touched) _countByCluster[c] = 0;
        _touched.Clear();
        foreach (int item in items)
        {
            int c = clustering.ClusterOf(item);
            if (_countByCluster[c]++ == 0) _touched.Add(c);
        }
    }

    /// <summary>
    /// Picks the top <paramref name="m"/> clusters by count (ties to the lower cluster id) into
    /// <paramref name="clusters"/> and their p_mle weights into <paramref name="weights"/>.
    /// </summary>
    /// <returns>The number of clusters picked.</returns>
    public int TopClusters(int m, Span<int> clusters, Span<double> weights)
    {
        int n = 0;
        foreach (int c in _touched)
        {
            int count = _countByCluster[c];
            // Insertion into a short sorted list: m is small (typically 5).
            int pos = n < m ? n : m;
            while (pos > 0 && Ranks(count, c, _countByCluster[clusters[pos - 1]], clusters[pos - 1])) pos--;
            if (pos >= m) continue;
            int last = Math.Min(n, m - 1);
            for (int j = last; j > pos; j--) clusters[j] = clusters[j - 1];
            clusters[pos] = c;
            if (n < m) n++;
        }
        double total = 0;
        for (int j = 0; j < n; j++) total += _countByCluster[clusters[j]];
        for (int j = 0; j < n; j++) weights[j] = _countByCluster[clusters[j]] / total;
        return n;
    }

    private static bool Ranks(int countA, int clusterA, int countB, int clusterB) =>
        countA > countB || (countA == countB && clusterA < clusterB);

    /// <summary>
    /// centroid(c, u): the normalised sum of the user's item embeddings in <paramref name="cluster"/>,
    /// written to <paramref name="destination"/> (zeros when the user has no item there).
    /// </summary>
    public static void Centroid(ReadOnlySpan<int> items, int cluster, ItemClustering clustering, EmbeddingMatrix itemEmbeddings, Span<double> sum, Span<float> destination)
    {
        sum.Clear();
        foreach (int item in items)
        {
            if (clustering.ClusterOf(item) != cluster) continue;
            VectorMath.AddScaledWidened(sum, itemEmbeddings.ReadRow(item), 1);
        }
        VectorMath.StoreNormalized(sum, destination);
    }
}
