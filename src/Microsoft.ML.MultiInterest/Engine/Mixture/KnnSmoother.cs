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
        IReadOnlyList<int> users, RankedLists neighbors, double lambda, int threads = 0) =>
        SmoothMixtures(train, clustering, itemEmbeddings, mle, users, neighbors, lambda, threads, componentEmbeddings: true);

    /// <summary>
    /// As <see cref="Smooth"/>; without <paramref name="componentEmbeddings"/> the table holds the clusters and weights
    /// only (the same ones), and a <see cref="OneUser"/> gives any user's whole mixture when it is needed.
    /// </summary>
    internal static MixtureTable SmoothMixtures(BipartiteGraph train, ItemClustering clustering, EmbeddingMatrix itemEmbeddings, MixtureTable mle,
        IReadOnlyList<int> users, RankedLists neighbors, double lambda, int threads, bool componentEmbeddings)
    {
        ArgumentNullException.ThrowIfNull(mle);
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(neighbors);
        MixtureBuilder.Validate(train, clustering, itemEmbeddings, mle.MaxComponents);
        if (double.IsNaN(lambda) || lambda < 0 || lambda > 1) throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "Lambda must lie in [0, 1].");
        if (neighbors.QueryCount != users.Count) throw new ArgumentException("There must be one neighbour row per user.", nameof(neighbors));

        int m = mle.MaxComponents;
        int dim = itemEmbeddings.Dimension;
        var table = MixtureTable.ForUsers(train.UserCount, users, m, componentEmbeddings ? dim : 0);
        var parallel = Parallelism.Options(threads);
        Parallelism.Run(() => Parallel.For(0, users.Count, parallel, () => new Scratch(clustering.ClusterCount, dim), (j, _, s) =>
        {
            SmoothOne(train, clustering, itemEmbeddings, mle, users[j], neighbors.IndicesOf(j), lambda, table, users[j], s);
            return s;
        }, _ => { }));
        return table;
    }

    /// <summary>Smooths <paramref name="user"/>'s mixture into row <paramref name="row"/> of <paramref name="table"/> (its embeddings when it has them).</summary>
    private static void SmoothOne(BipartiteGraph train, ItemClustering clustering, EmbeddingMatrix itemEmbeddings, MixtureTable mle,
        int user, ReadOnlySpan<int> neighbors, double lambda, MixtureTable table, int row, Scratch s)
    {
        int m = mle.MaxComponents;
        int k = neighbors.Length;
        s.Reset();
        var ownClusters = mle.Clusters(user);
        var ownWeights = mle.Weights(user);
        for (int j = 0; j < ownClusters.Length; j++) s.Own[s.Touch(ownClusters[j])] = ownWeights[j];
        foreach (int v in neighbors)
        {
            // A search without the user's own row excluded lists the user first: it would count itself twice.
            if (v == user)
                throw new ArgumentException($"The neighbour row of user {user} holds the user itself: search the neighbours with the users' own rows excluded.", nameof(neighbors));
            var clusters = mle.Clusters(v);
            var weights = mle.Weights(v);
            for (int j = 0; j < clusters.Length; j++) s.NeighborSum[s.Touch(clusters[j])] += weights[j];
        }

        // Top-m clusters by smoothed probability, ties to the lower cluster id; only positive weights.
        var chosen = table.WritableClusters(row);
        var chosenWeights = table.WritableWeights(row);
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
        table.SetCount(row, n);
        if (!table.HasEmbeddings) return;

        var items = train.ItemsOf(user);
        for (int j = 0; j < n; j++)
        {
            int c = chosen[j];
            var destination = table.WritableEmbedding(row, j);
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

    /// <summary>
    /// One user's smoothed mixture at a time, component embeddings included, bit for bit that user's row of
    /// <see cref="Smooth"/>:
    /// for a caller that reads each user's components once (an EMD) and should not hold every user's m x d floats.
    /// Each thread smooths into its own one-row table, valid until that thread's next call.
    /// </summary>
    internal sealed class OneUser : IDisposable
    {
        private readonly BipartiteGraph _train;
        private readonly ItemClustering _clustering;
        private readonly EmbeddingMatrix _items;
        private readonly MixtureTable _mle;
        private readonly IReadOnlyList<int> _users;
        private readonly RankedLists _neighbors;
        private readonly double _lambda;
        private readonly ThreadLocal<(MixtureTable Row, Scratch Scratch)> _workspace;

        /// <summary>The arguments of the <see cref="Smooth"/> call it stands for.</summary>
        public OneUser(BipartiteGraph train, ItemClustering clustering, EmbeddingMatrix itemEmbeddings, MixtureTable mle, IReadOnlyList<int> users,
            RankedLists neighbors, double lambda)
        {
            (_train, _clustering, _items, _mle, _users, _neighbors, _lambda) = (train, clustering, itemEmbeddings, mle, users, neighbors, lambda);
            _workspace = new(() => (new MixtureTable(1, mle.MaxComponents, itemEmbeddings.Dimension), new Scratch(clustering.ClusterCount, itemEmbeddings.Dimension)));
        }

        /// <summary>The mixture of users[<paramref name="index"/>], as row 0 of this thread's table.</summary>
        public MixtureTable Smooth(int index)
        {
            var (row, scratch) = _workspace.Value;
            SmoothOne(_train, _clustering, _items, _mle, _users[index], _neighbors.IndicesOf(index), _lambda, row, 0, scratch);
            return row;
        }

        /// <summary>The whole mixtures of <paramref name="users"/> (some of the users, by user row), in a table of their own.</summary>
        public MixtureTable Subset(IReadOnlyList<int> users)
        {
            var table = MixtureTable.ForUsers(_train.UserCount, users, _mle.MaxComponents, _items.Dimension);
            foreach (int user in table.RowUsers()) table.CopyRow(Smooth(IndexOf(user)), 0, user);
            return table;
        }

        private int IndexOf(int user)
        {
            for (int j = 0; j < _users.Count; j++)
                if (_users[j] == user) return j;
            throw new ArgumentException($"User row {user} is not one of the smoothed users.", nameof(user));
        }

        /// <inheritdoc/>
        public void Dispose() => _workspace.Dispose();
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
