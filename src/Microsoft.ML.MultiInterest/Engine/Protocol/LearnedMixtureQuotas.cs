using System.Numerics.Tensors;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Serves a learned mixture (<see cref="EmbeddingAlgorithm.MixtureEmbedding"/> or
/// <see cref="EmbeddingAlgorithm.DifferentiableClustering"/>, C_d = 1) by cluster quotas instead of round robin: the model's
/// own item vectors are clustered (spherical k-means), each user component is attached to its nearest centroid, components
/// landing on the same cluster pool their weights (the heaviest one's vector is the query; weight-0 components are left out), and
/// <see cref="ClusterQuotaRetriever"/> fills each cluster's quota, with the user's weighted-mean component's unimodal
/// ranking as the fill. The "Mixture embeddings + cluster quotas" row of issue 11.
/// </summary>
public static class LearnedMixtureQuotas
{
    /// <summary>The users' components as cluster mixtures over <paramref name="clustering"/> (weights pooled per cluster, descending).</summary>
    /// <param name="model">A learned model with one component per item.</param>
    /// <param name="clustering">A clustering of <paramref name="model"/>'s item vectors, with centroids.</param>
    /// <param name="users">The users to convert.</param>
    /// <returns>A mixture table with rows for <paramref name="users"/>, cluster ids those of <paramref name="clustering"/>.</returns>
    public static MixtureTable ToClusterMixtures(MixtureEmbeddingResult model, ItemClustering clustering, IReadOnlyList<int> users)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(clustering);
        ArgumentNullException.ThrowIfNull(users);
        if (model.DestinationComponents != 1) throw new ArgumentException("Cluster quotas need one component per item (C_d = 1).", nameof(model));
        if (clustering.ItemCount != model.ItemCount) throw new ArgumentException($"The clustering has {clustering.ItemCount} items, the model {model.ItemCount}.", nameof(clustering));
        if (clustering.Centroids.Dimension != model.Dimension) throw new ArgumentException("The clustering's centroids are not in the model's space.", nameof(clustering));
        int cs = model.SourceComponents, d = model.Dimension;
        var ordered = model.ToMixtureTable(users);
        var table = MixtureTable.ForUsers(model.UserCount, users, cs, d);
        Span<int> clusters = stackalloc int[cs];
        Span<double> weights = stackalloc double[cs];
        Span<int> source = stackalloc int[cs];
        foreach (int u in users)
        {
            int n = 0;
            var w = ordered.Weights(u);
            for (int c = 0; c < ordered.ComponentCount(u); c++)
            {
                // A weight that underflowed to 0 (a tiny gamma or a large weight exponent) is no interest: quotas go to positive weights.
                if (!(w[c] > 0)) continue;
                var v = ordered.Embedding(u, c);
                int best = 0;
                float bestScore = float.NegativeInfinity;
                for (int k = 0; k < clustering.ClusterCount; k++)
                {
                    float s = TensorPrimitives.Dot(v, clustering.Centroids.ReadRow(k));
                    if (s > bestScore) (best, bestScore) = (k, s);
                }
                int at = clusters[..n].IndexOf(best);
                if (at >= 0) weights[at] += w[c];
                else { clusters[n] = best; weights[n] = w[c]; source[n] = c; n++; }
            }
            // Descending pooled weight, ties to the earlier (heavier) component: insertion sort keeps it stable.
            for (int a = 1; a < n; a++)
                for (int b = a; b > 0 && weights[b] > weights[b - 1]; b--)
                {
                    (weights[b], weights[b - 1]) = (weights[b - 1], weights[b]);
                    (clusters[b], clusters[b - 1]) = (clusters[b - 1], clusters[b]);
                    (source[b], source[b - 1]) = (source[b - 1], source[b]);
                }
            table.SetCount(u, n);
            for (int j = 0; j < n; j++)
            {
                table.WritableClusters(u)[j] = clusters[j];
                table.WritableWeights(u)[j] = weights[j];
                ordered.Embedding(u, source[j]).CopyTo(table.WritableEmbedding(u, j));
            }
        }
        return table;
    }

    /// <summary>Scores the quota row of a learned model under the protocol, as <see cref="LearnedMixtureEvaluator.Evaluate"/> scores its round-robin row.</summary>
    /// <param name="name">The method's name in reports.</param>
    /// <param name="train">Training graph (its items are excluded).</param>
    /// <param name="test">Held-out graph over the same rows.</param>
    /// <param name="model">The learned components (C_d = 1).</param>
    /// <param name="clustering">A clustering of the model's item vectors (<see cref="ClusterItems"/>).</param>
    /// <param name="alpha">Quota exponent.</param>
    /// <param name="referenceItems">The shared item vectors Diversity@K is measured on.</param>
    /// <param name="cutoffs">The cutoffs K.</param>
    /// <param name="threads">Degree of parallelism (0 = all cores).</param>
    /// <param name="misses">Held-out edges of unseen users or items, counted as misses.</param>
    /// <returns>The row's figures at each cutoff, with its per-user figures.</returns>
    public static MethodEvaluation Evaluate(string name, BipartiteGraph train, BipartiteGraph test, MixtureEmbeddingResult model, ItemClustering clustering,
        double alpha, EmbeddingMatrix referenceItems, IReadOnlyList<int> cutoffs, int threads, HeldOutMisses? misses = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(referenceItems);
        var sorted = cutoffs.Distinct().Order().ToArray();
        var testUsers = Enumerable.Range(0, test.UserCount).Where(u => test.DegreeOf(u) > 0).ToArray();
        var table = ToClusterMixtures(model, clustering, testUsers);
        var mean = new EmbeddingMatrix(model.UserCount, model.Dimension);
        foreach (int u in testUsers)
            for (int c = 0; c < model.SourceComponents; c++)
                TensorPrimitives.MultiplyAdd(model.UserComponents.ReadRow(u * model.SourceComponents + c), (float)model.WeightsOfUser(u)[c], mean.Row(u), mean.Row(u));
        var fallback = new UnimodalRetriever(model.ItemComponents, skipZeroRows: false).Retrieve(mean, testUsers, train, sorted[^1], threads);
        var lists = new ClusterQuotaRetriever(model.ItemComponents, clustering, skipZeroRows: false).Retrieve(table, testUsers, train, sorted, alpha, fallback, threads);
        var byCutoff = sorted.Select((k, t) => (k, t)).ToDictionary(p => p.k, p => lists[p.t]);
        var scorer = ProtocolScorer.ForAddedRow(train, test, testUsers, referenceItems, threads, misses, model.ItemComponents);
        return scorer.Score(name, byCutoff, table, null);
    }

    /// <summary>Clusters a model's unit item vectors with spherical k-means (at most one cluster per item).</summary>
    /// <param name="model">The learned model whose item vectors are clustered; not null.</param>
    /// <param name="clusters">The cluster count k, clamped to [1, the item count].</param>
    /// <param name="iterations">The most Lloyd iterations.</param>
    /// <param name="seed">The k-means seed.</param>
    /// <param name="threads">Degree of parallelism (0 = all cores).</param>
    /// <returns>The clustering of the model's items.</returns>
    public static ItemClustering ClusterItems(MixtureEmbeddingResult model, int clusters, int iterations, int seed, int threads)
    {
        ArgumentNullException.ThrowIfNull(model);
        int k = Math.Clamp(clusters, 1, model.ItemCount);
        var result = SphericalKMeans.Fit(model.ItemComponents, new SphericalKMeansOptions { Clusters = k, MaxIterations = iterations, Seed = seed, Threads = threads });
        return ItemClustering.Create(result.Assignments, k, model.ItemComponents, result.Centroids);
    }
}
