namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Builds the unsmoothed ("Mixture") per-user mixtures of the evaluation protocol:
/// p_mle(c|u) = count(u,c) / (sum of counts over u's top-m clusters), clusters ranked by count with ties
/// to the lower cluster id; component embedding = normalised sum of u's training item embeddings in c.
/// </summary>
public static class MixtureBuilder
{
    /// <summary>Builds the MLE mixture of every user of <paramref name="train"/>.</summary>
    /// <param name="train">Training graph.</param>
    /// <param name="clustering">Item clusters.</param>
    /// <param name="itemEmbeddings">Item embeddings (raw, as trained).</param>
    /// <param name="components">m, the number of components kept per user.</param>
    /// <param name="threads">Degree of parallelism (0 = all cores); the result does not depend on it.</param>
    /// <returns>A mixture table with a row for every user with edges.</returns>
    public static MixtureTable BuildMle(BipartiteGraph train, ItemClustering clustering, EmbeddingMatrix itemEmbeddings, int components, int threads = 0)
    {
        Validate(train, clustering, itemEmbeddings, components);
        // Rows only for users with edges: the others have no mixture, and a wide user index range costs 4 bytes a user, not m (12 + 4 d).
        return BuildMleOf(train, clustering, itemEmbeddings, components, UsersWithEdges(train), threads);
    }

    /// <summary>
    /// The MLE mixtures of <paramref name="users"/> only (a block of them), component embeddings included, bit for bit
    /// their rows of <see cref="BuildMle"/>.
    /// </summary>
    internal static MixtureTable BuildMleOf(BipartiteGraph train, ItemClustering clustering, EmbeddingMatrix itemEmbeddings, int components,
        IReadOnlyList<int> users, int threads)
    {
        var table = MixtureTable.ForUsers(train.UserCount, users, components, itemEmbeddings.Dimension);
        Parallel.For(0, users.Count, Parallelism.Options(threads), () => new RowScratch(clustering.ClusterCount, itemEmbeddings.Dimension), (index, _, scratch) =>
        {
            BuildRow(train, clustering, itemEmbeddings, components, users[index], table, users[index], scratch);
            return scratch;
        }, _ => { });
        return table;
    }

    /// <summary>User <paramref name="user"/>'s MLE mixture into row <paramref name="row"/> of <paramref name="table"/>.</summary>
    private static void BuildRow(BipartiteGraph train, ItemClustering clustering, EmbeddingMatrix itemEmbeddings, int components, int user,
        MixtureTable table, int row, RowScratch scratch)
    {
        var items = train.ItemsOf(user);
        scratch.Profile.Load(items, clustering);
        int n = scratch.Profile.TopClusters(components, table.WritableClusters(row), table.WritableWeights(row));
        table.SetCount(row, n);
        for (int j = 0; j < n; j++)
            UserClusterProfile.Centroid(items, table.Clusters(row)[j], clustering, itemEmbeddings, scratch.Sum, table.WritableEmbedding(row, j));
    }

    private sealed class RowScratch(int clusters, int dimension)
    {
        public UserClusterProfile Profile { get; } = new(clusters);
        public double[] Sum { get; } = new double[dimension];
    }

    /// <summary>
    /// Builds the clusters and p_mle weights of every user's unsmoothed mixture, without component embeddings (a
    /// table of dimension 0): all that <see cref="KnnSmoother.Smooth"/> reads of the neighbours' mixtures, at m * 12
    /// bytes per user instead of m * (12 + 4 d). Clusters and weights equal those of <see cref="BuildMle"/>.
    /// </summary>
    /// <param name="train">Training graph.</param>
    /// <param name="clustering">Item clusters.</param>
    /// <param name="components">m, the number of components kept per user.</param>
    /// <param name="threads">Degree of parallelism (0 = all cores); the result does not depend on it.</param>
    /// <returns>A mixture table of dimension 0 with a row for every user with edges.</returns>
    public static MixtureTable BuildMleWeights(BipartiteGraph train, ItemClustering clustering, int components, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(clustering);
        if (components < 1) throw new ArgumentOutOfRangeException(nameof(components), components, "Components (m) must be at least 1.");
        if (clustering.ItemCount != train.ItemCount)
            throw new ArgumentException($"The clustering covers {clustering.ItemCount} items, the graph has {train.ItemCount}.", nameof(clustering));
        var active = UsersWithEdges(train);
        var table = MixtureTable.ForUsers(train.UserCount, active, components, 0);
        var parallel = Parallelism.Options(threads);
        Parallel.For(0, active.Length, parallel, () => new UserClusterProfile(clustering.ClusterCount), (index, _, profile) =>
        {
            int user = active[index];
            profile.Load(train.ItemsOf(user), clustering);
            table.SetCount(user, profile.TopClusters(components, table.WritableClusters(user), table.WritableWeights(user)));
            return profile;
        }, _ => { });
        return table;
    }

    private static int[] UsersWithEdges(BipartiteGraph train)
    {
        int count = 0;
        for (int u = 0; u < train.UserCount; u++) if (train.DegreeOf(u) > 0) count++;
        var users = new int[count];
        for (int u = 0, next = 0; u < train.UserCount; u++) if (train.DegreeOf(u) > 0) users[next++] = u;
        return users;
    }

    internal static void Validate(BipartiteGraph train, ItemClustering clustering, EmbeddingMatrix itemEmbeddings, int components)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(clustering);
        ArgumentNullException.ThrowIfNull(itemEmbeddings);
        if (components < 1) throw new ArgumentOutOfRangeException(nameof(components), components, "Components (m) must be at least 1.");
        if (itemEmbeddings.Rows != train.ItemCount)
            throw new ArgumentException($"There are {itemEmbeddings.Rows} item embeddings for {train.ItemCount} items in the graph.", nameof(itemEmbeddings));
        if (clustering.ItemCount != train.ItemCount)
            throw new ArgumentException($"The clustering covers {clustering.ItemCount} items, the graph has {train.ItemCount}.", nameof(clustering));
    }
}
