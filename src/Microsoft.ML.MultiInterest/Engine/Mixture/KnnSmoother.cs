namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// kNN-Embed smoothing (El-Kishky et al.) exactly as the evaluation protocol defines it:
/// p_s(c|u) = (1-lambda) p_mle(c|u) + lambda * mean over the k neighbours u' of p_mle(c|u');
/// the top-m clusters by p_s (ties to the lower cluster id) are kept and renormalised; the component
/// embedding u^c = (1-lambda) centroid(c,u) + (lambda/k) sum_u' p_mle(c|u') centroid(c,u'), normalised,
/// or the normalised cluster centroid when that sum is zero.
/// </summary>
public static class KnnSmoother
{
    /// <summary>Smooths the mixtures of <paramref name="users"/>.</summary>
    /// <param name="train">Training graph.</param>
    /// <param name="clustering">Item clusters.</param>
    /// <param name="itemEmbeddings">Item embeddings (raw).</param>
    /// <param name="mle">The unsmoothed mixtures of all users. With component embeddings
    /// (<see cref="MixtureBuilder.BuildMle"/>) the neighbours' centroids are read from it; a clusters-and-weights table
    /// (<see cref="MixtureBuilder.BuildMleWeights"/>, far smaller) has them recomputed from the neighbours' items. Both
    /// give the same result.</param>
    /// <param name="users">The users to smooth; row j of <paramref name="neighbors"/> belongs to users[j].</param>
    /// <param name="neighbors">The neighbours of each user in <paramref name="users"/> (never the user itself).</param>
    /// <param name="lambda">Jelinek-Mercer weight of the neighbours, in [0, 1]; 0 gives the MLE mixture.</param>
    /// <param name="threads">Degree of parallelism (0 = all cores); the result does not depend on it.</param>
    /// <returns>A table over all users that stores rows for <paramref name="users"/> only (every other user has no components).</returns>
    public static MixtureTable Smooth(BipartiteGraph train, ItemClustering clustering, EmbeddingMatrix itemEmbeddings, MixtureTable mle,
        IReadOnlyList<int> users, RankedLists neighbors, double lambda, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(mle);
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(neighbors);
        MixtureBuilder.Validate(train, clustering, itemEmbeddings, mle.MaxComponents);
        if (double.IsNaN(lambda) || lambda < 0 || lambda > 1) throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "Lambda must lie in [0, 1].");
        if (neighbors.QueryCount != users.Count) throw new ArgumentException("There must be one neighbour row per user.", nameof(neighbors));

        int m = mle.MaxComponents;
        int dim = itemEmbeddings.Dimension;
        var table = MixtureTable.ForUsers(train.UserCount, users, m, dim);
        var parallel = Parallelism.Options(threads);
        Parallel.For(0, users.Count, parallel, () => new Scratch(clustering.ClusterCount, dim), (j, _, s) =>
        {
            SmoothOne(train, clustering, itemEmbeddings, mle, users[j], neighbors.IndicesOf(j), lambda, table, s);
            return s;
        }, _ => { });
        return table;
    }

    private static void SmoothOne(BipartiteGraph train, ItemClustering clustering, EmbeddingMatrix itemEmbeddings, MixtureTable mle,
        int user, ReadOnlySpan<int> neighbors, double lambda, MixtureTable table, Scratch s)
    {
        int m = mle.MaxComponents;
        int k = neighbors.Length;
        s.Reset();
        var ownClusters = mle.Clusters(user);
        var ownWeights = mle.Weights(user);
        for (int j = 0; j < ownClusters.Length; j++) s.Own[s.Touch(ownClusters[j])] = ownWeights[j];
        foreach (int v in neighbors)
        {
            var clusters = mle.Clusters(v);
            var weights = mle.Weights(v);
            for (int j = 0; j < clusters.Length; j++) s.NeighborSum[s.Touch(clusters[j])] += weights[j];
        }

        // Top-m clusters by smoothed probability, ties to the lower cluster id; only positive weights.
        var chosen = table.WritableClusters(user);
        var chosenWeights = table.WritableWeights(user);
        int n = 0;
        foreach (int c in s.Touched)
        {
            // The protocol's formula term by term, so ties compare as an independent implementation would.
            double pKnn = k > 0 ? s.NeighborSum[c] / k : 0;
            double p = (1 - lambda) * s.Own[c] + lambda * pKnn;
            if (p <= 0) continue;
            int pos = n < m ? n : m;
            while (pos > 0 && Ranks(p, c, chosenWeights[pos - 1], chosen[pos - 1])) pos--;
            if (pos >= m) continue;
            for (int t = Math.Min(n, m - 1); t > pos; t--) { chosen[t] = chosen[t - 1]; chosenWeights[t] = chosenWeights[t - 1]; }
            chosen[pos] = c;
            chosenWeights[pos] = p;
            if (n < m) n++;
        }
        double total = 0;
        for (int j = 0; j < n; j++) total += chosenWeights[j];
        for (int j = 0; j < n; j++) chosenWeights[j] /= total;
        table.SetCount(user, n);

        var items = train.ItemsOf(user);
        for (int j = 0; j < n; j++)
        {
            int c = chosen[j];
            var destination = table.WritableEmbedding(user, j);
            UserClusterProfile.Centroid(items, c, clustering, itemEmbeddings, s.Sum, s.Centroid);
            if (lambda == 0)
            {
                // Unsmoothed: the user's own centroid, bit for bit as the Mixture row has it.
                if (VectorMath.Norm(s.Centroid) > 0) s.Centroid.CopyTo(destination);
                else clustering.Centroids.ReadRow(c).CopyTo(destination);
                continue;
            }
            var acc = s.Accumulator;
            Array.Clear(acc);
            VectorMath.AddScaledWidened(acc, s.Centroid, 1 - lambda);
            if (k > 0)
            {
                foreach (int v in neighbors)
                {
                    int idx = mle.Clusters(v).IndexOf(c);
                    if (idx < 0) continue;
                    // centroid(c, v) is v's MLE component embedding for c; a weights-only table has it recomputed
                    // here, bit for bit as MixtureBuilder.BuildMle stores it.
                    double coef = lambda / k * mle.Weights(v)[idx];
                    ReadOnlySpan<float> centroid;
                    if (mle.HasEmbeddings) centroid = mle.Embedding(v, idx);
                    else
                    {
                        UserClusterProfile.Centroid(train.ItemsOf(v), c, clustering, itemEmbeddings, s.Sum, s.NeighborCentroid);
                        centroid = s.NeighborCentroid;
                    }
                    VectorMath.AddScaledWidened(acc, centroid, coef);
                }
            }
            if (VectorMath.StoreNormalized(acc, destination) == 0) clustering.Centroids.ReadRow(c).CopyTo(destination);
        }
    }

    /// <summary>Higher smoothed probability first; ties (within rounding) to the lower cluster id.</summary>
    private static bool Ranks(double p, int cluster, double otherP, int otherCluster)
    {
        int byWeight = WeightTies.Compare(p, otherP);
        return byWeight != 0 ? byWeight > 0 : cluster < otherCluster;
    }

    private sealed class Scratch
    {
        public Scratch(int clusters, int dim)
        {
            Own = new double[clusters];
            NeighborSum = new double[clusters];
            Seen = new bool[clusters];
            Sum = new double[dim];
            Accumulator = new double[dim];
            Centroid = new float[dim];
            NeighborCentroid = new float[dim];
        }

        public double[] Own { get; }
        public double[] NeighborSum { get; }
        public bool[] Seen { get; }
        public List<int> Touched { get; } = new();
        public double[] Sum { get; }
        public double[] Accumulator { get; }
        public float[] Centroid { get; }
        public float[] NeighborCentroid { get; }

        public void Reset()
        {
            foreach (int c in Touched)
            {
                Own[c] = 0;
                NeighborSum[c] = 0;
                Seen[c] = false;
            }
            Touched.Clear();
        }

        public int Touch(int cluster)
        {
            if (!Seen[cluster])
            {
                Seen[cluster] = true;
                Touched.Add(cluster);
            }
            return cluster;
        }
    }
}
