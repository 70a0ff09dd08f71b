using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Fits kNN-Embed mixtures (El-Kishky et al.): each user's interests are its top-m item clusters, with
/// weights smoothed towards its k nearest users' (cosine of user embeddings) and one embedding per
/// component. Lambda = 0 gives the unsmoothed "Mixture" of the evaluation protocol.
/// </summary>
/// <remarks>
/// Fit reads the training edges: key-typed user and item columns (from MapValueToKey; rows with a missing
/// key, 0, are skipped), the user and item embeddings (any known-size Single vectors with those names) and
/// the item cluster key. The first row of each user or item provides its embedding or cluster, and every later row of it
/// must repeat them (one that differs is refused). Every item
/// with an edge needs a cluster. The transformer maps the user key of each row to its mixture.
/// </remarks>
public sealed class KnnSmoothedMixtureEstimator : IEstimator<KnnSmoothedMixtureTransformer>
{
    /// <summary>Options of <see cref="KnnSmoothedMixtureEstimator"/>.</summary>
    public sealed class Options : MultiInterestStageOptions
    {
        /// <summary>The user key column. Default <see cref="MultiInterestColumnNames.User"/>.</summary>
        public string UserColumnName = MultiInterestColumnNames.User;

        /// <summary>The item key column. Default <see cref="MultiInterestColumnNames.Item"/>.</summary>
        public string ItemColumnName = MultiInterestColumnNames.Item;

        /// <summary>The user embedding column (Single vector); only read when <see cref="Lambda"/> &gt; 0. Default <see cref="MultiInterestColumnNames.UserEmbedding"/>.</summary>
        public string UserEmbeddingColumnName = MultiInterestColumnNames.UserEmbedding;

        /// <summary>The item embedding column (Single vector). Default <see cref="MultiInterestColumnNames.ItemEmbedding"/>.</summary>
        public string ItemEmbeddingColumnName = MultiInterestColumnNames.ItemEmbedding;

        /// <summary>The item cluster key column. Default <see cref="MultiInterestColumnNames.ItemCluster"/>.</summary>
        public string ItemClusterColumnName = MultiInterestColumnNames.ItemCluster;

        /// <summary>m, the number of mixture components per user, at least 1. Default <see cref="KnnSmoothedMixtureDefaults.Components"/>.</summary>
        public int Components = KnnSmoothedMixtureDefaults.Components;

        /// <summary>k, the number of neighbours smoothing a user's mixture, at least 1. Default <see cref="KnnSmoothedMixtureDefaults.Neighbors"/>.</summary>
        public int Neighbors = KnnSmoothedMixtureDefaults.Neighbors;

        /// <summary>The neighbours' weight in [0, 1]; 0 = no smoothing (the "Mixture" method). Default <see cref="KnnSmoothedMixtureDefaults.Lambda"/>.</summary>
        public double Lambda = KnnSmoothedMixtureDefaults.Lambda;

        /// <summary>Degree of parallelism; 0 = all cores, else at most 1,024. The result does not depend on it. Default 0.</summary>
        public int Threads;

        /// <summary>
        /// How the neighbours are found: <see cref="NeighborIndexKind.Exact"/> (brute force) or
        /// <see cref="NeighborIndexKind.Clustered"/> (inverted lists, approximate; see <see cref="NeighborLists"/> and
        /// <see cref="NeighborProbes"/>). Used at fit time only: the fitted mixtures are saved, not the index. Default <see cref="KnnSmoothedMixtureDefaults.NeighborIndex"/>.
        /// </summary>
        public NeighborIndexKind NeighborIndex = KnnSmoothedMixtureDefaults.NeighborIndex;

        /// <summary>Inverted lists of the clustered index; 0 = automatic (about 4 sqrt(users)). Default <see cref="ClusteredNeighborIndexDefaults.Lists"/>.</summary>
        public int NeighborLists = ClusteredNeighborIndexDefaults.Lists;

        /// <summary>Lists the clustered index scans per user, at least 1; = lists gives the exact neighbours. Default <see cref="ClusteredNeighborIndexDefaults.Probes"/>.</summary>
        public int NeighborProbes = ClusteredNeighborIndexDefaults.Probes;

        /// <summary>
        /// Seed of the clustered index's training sample and k-means++ seeding (unused by the exact index). Fit time only,
        /// like the index. Default <see cref="ClusteredNeighborIndexDefaults.Seed"/>.
        /// </summary>
        public int NeighborSeed = ClusteredNeighborIndexDefaults.Seed;

        /// <summary>Output: the component clusters (vector of m cluster keys; key 0 pads users with fewer components). Default <see cref="MultiInterestColumnNames.MixtureClusters"/>.</summary>
        public string MixtureClustersColumnName = MultiInterestColumnNames.MixtureClusters;

        /// <summary>Output: the component weights (vector of m Doubles summing to 1; 0 pads). Default <see cref="MultiInterestColumnNames.MixtureWeights"/>.</summary>
        public string MixtureWeightsColumnName = MultiInterestColumnNames.MixtureWeights;

        /// <summary>Output: the unit-length component embeddings, m rows of d concatenated (zero rows pad). Default <see cref="MultiInterestColumnNames.MixtureEmbeddings"/>.</summary>
        public string MixtureEmbeddingsColumnName = MultiInterestColumnNames.MixtureEmbeddings;

        internal void Validate()
        {
            OptionChecks.ColumnName(UserColumnName, nameof(UserColumnName));
            OptionChecks.ColumnName(ItemColumnName, nameof(ItemColumnName));
            OptionChecks.ColumnName(UserEmbeddingColumnName, nameof(UserEmbeddingColumnName));
            OptionChecks.ColumnName(ItemEmbeddingColumnName, nameof(ItemEmbeddingColumnName));
            OptionChecks.ColumnName(ItemClusterColumnName, nameof(ItemClusterColumnName));
            OptionChecks.ColumnName(MixtureClustersColumnName, nameof(MixtureClustersColumnName));
            OptionChecks.ColumnName(MixtureWeightsColumnName, nameof(MixtureWeightsColumnName));
            OptionChecks.ColumnName(MixtureEmbeddingsColumnName, nameof(MixtureEmbeddingsColumnName));
            OptionChecks.DistinctOutputs(
                [(MixtureClustersColumnName, nameof(MixtureClustersColumnName)), (MixtureWeightsColumnName, nameof(MixtureWeightsColumnName)), (MixtureEmbeddingsColumnName, nameof(MixtureEmbeddingsColumnName))],
                [(UserColumnName, nameof(UserColumnName)), (ItemColumnName, nameof(ItemColumnName)), (UserEmbeddingColumnName, nameof(UserEmbeddingColumnName)),
                 (ItemEmbeddingColumnName, nameof(ItemEmbeddingColumnName)), (ItemClusterColumnName, nameof(ItemClusterColumnName))]);
            OptionChecks.AtLeast(Components, 1, nameof(Components));
            OptionChecks.AtLeast(Neighbors, 1, nameof(Neighbors));
            OptionChecks.UnitInterval(Lambda, nameof(Lambda));
            OptionChecks.Threads(Threads, nameof(Threads));
            if (!Enum.IsDefined(NeighborIndex))
                throw new ArgumentOutOfRangeException(nameof(NeighborIndex), NeighborIndex, "NeighborIndex must be Exact or Clustered.");
            OptionChecks.AtLeast(NeighborLists, 0, nameof(NeighborLists));
            OptionChecks.AtLeast(NeighborProbes, 1, nameof(NeighborProbes));
        }

        /// <summary>The clustered index's options: lists, probes and seed as given, building on <see cref="Threads"/>.</summary>
        internal ClusteredNeighborIndexOptions ClusteredOptions() => new() { Lists = NeighborLists, Probes = NeighborProbes, Seed = NeighborSeed, Threads = Threads };
    }

    private readonly MLContext _context;
    private readonly Options _options;

    internal KnnSmoothedMixtureEstimator(MLContext context, Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // The copy is checked and kept: a later change to the caller's object reaches neither the checks nor Fit.
        _options = options.Snapshot<Options>();
        _options.Validate();
        _context = context;
    }

    /// <summary>Builds the mixtures of every user with training edges.</summary>
    /// <exception cref="ArgumentException">A column is missing or has the wrong type, or an item has no cluster.</exception>
    /// <param name="input">The training edge rows after the embedding and clustering stages: the user and item key columns, the item embedding vector, the item cluster key and, with a lambda above 0, the user embedding vector, as the options name them; not null.</param>
    /// <returns>The fitted stage, holding every trained user's mixture.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    public KnnSmoothedMixtureTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = _options;
        bool smooth = o.Lambda > 0;
        var rows = EdgeRows.Read(input, new EdgeColumns
        {
            User = (o.UserColumnName, nameof(o.UserColumnName)),
            Item = (o.ItemColumnName, nameof(o.ItemColumnName)),
            UserVector = smooth ? (o.UserEmbeddingColumnName, nameof(o.UserEmbeddingColumnName)) : null,
            ItemVector = (o.ItemEmbeddingColumnName, nameof(o.ItemEmbeddingColumnName)),
            ItemCluster = (o.ItemClusterColumnName, nameof(o.ItemClusterColumnName)),
        });
        // Rows of a missing key (an id the key mapping did not know) carry no edge: said, as GraphEmbedding says it.
        OptionWarnings.SkippedEdgeRows(_context, nameof(KnnSmoothedMixtureEstimator), rows, o.UserColumnName, o.ItemColumnName, null);
        var items = new CompactItems(rows);
        // The items with edges only (a monotone renumbering, so ties between items keep their order): an item without
        // edges has no say in any mixture, and a wide item key range costs nothing per key.
        var assignments = new int[items.RowOf.Length];
        for (int j = 0; j < assignments.Length; j++)
        {
            assignments[j] = rows.ClusterOf(items.RowOf[j]);
            if (assignments[j] < 0)
                throw new ArgumentException($"Item key {items.RowOf[j] + 1} has a missing cluster key in column '{o.ItemClusterColumnName}' (option {nameof(o.ItemClusterColumnName)}); every item with an edge needs a cluster.");
        }

        OptionWarnings.Components(_context, nameof(KnnSmoothedMixtureEstimator), o.Components, rows.ClusterCount);
        var reporter = new StageReporter(_context, nameof(KnnSmoothedMixtureEstimator), o);
        const int steps = 3;
        // The users with edges, renumbered densely (slot j = user row rows[j], a monotone renumbering, so neighbour ties keep
        // going to the lower row): the work and the tables follow the users in use, not the user key range.
        var graph = items.ActiveHistory();
        var users = items.ActiveUsers;
        if (smooth) OptionWarnings.Neighbors(_context, nameof(KnnSmoothedMixtureEstimator), o.Neighbors, users.Length);
        var slots = Enumerable.Range(0, users.Length).ToArray();
        var clustering = ItemClustering.Create(assignments, rows.ClusterCount, items.Embeddings);
        // Smoothing reads only the clusters and weights of the unsmoothed mixtures.
        reporter.ThrowIfCancelled();
        var mle = MixtureBuilder.BuildMleWeights(graph, clustering, o.Components, o.Threads);
        reporter.Report($"Unsmoothed mixtures of {users.Length} users.", 1, steps);
        reporter.ThrowIfCancelled();
        var neighbors = smooth ? FindNeighbors(rows.UserVectors!.Gather(users), slots, o.Neighbors, o.Threads, o.NeighborIndex, o.ClusteredOptions()) : new RankedLists(users.Length, 0);
        if (smooth) reporter.Report($"{o.Neighbors} nearest users of each user ({o.NeighborIndex} index).", 2, steps);
        else reporter.Report($"No smoothing (lambda = 0): no neighbours.", 2, steps);
        reporter.ThrowIfCancelled();
        var smoothed = KnnSmoother.Smooth(graph, clustering, items.Embeddings, mle, slots, neighbors, o.Lambda, o.Threads);
        var mixtures = ByUserRow(smoothed, users, rows.UserCount);
        for (int q = 0; q < neighbors.QueryCount; q++)
        {
            var found = neighbors.IndexSlots(q)[..neighbors.Counts[q]];
            for (int p = 0; p < found.Length; p++) found[p] = users[found[p]];
        }
        reporter.Report($"Built mixtures (m = {o.Components}, k = {o.Neighbors}, lambda = {o.Lambda}) for {users.Length} users over {rows.ClusterCount} clusters; skipped {rows.SkippedRows} rows with a missing key.",
            3, steps);
        return new KnnSmoothedMixtureTransformer(o.UserColumnName, mixtures, rows.ClusterCount, users, neighbors,
            o.MixtureClustersColumnName, o.MixtureWeightsColumnName, o.MixtureEmbeddingsColumnName);
    }

    /// <summary>
    /// The k most similar other users (cosine) of each user with edges, among users with edges: <paramref name="vectors"/>
    /// holds those users' vectors only (in ascending row order, so ties still go to the lower row), and the lists name them
    /// by <paramref name="users"/>. With a key type far larger than the number of users with edges, indexing every key row
    /// cost time and memory in proportion to the key cardinality.
    /// </summary>
    /// <param name="vectors">The vectors of the users with edges, ascending by row.</param>
    /// <param name="users">The name of each vector's user in the lists (its row, or its slot).</param>
    /// <param name="k">Neighbours per user.</param>
    /// <param name="threads">Degree of parallelism; 0 = all cores.</param>
    /// <param name="kind">Exact or clustered index.</param>
    /// <param name="clustered">Options of the clustered index.</param>
    internal static RankedLists FindNeighbors(EmbeddingMatrix vectors, int[] users, int k, int threads,
        NeighborIndexKind kind = NeighborIndexKind.Exact, ClusteredNeighborIndexOptions? clustered = null)
    {
        var self = new int[users.Length];
        for (int j = 0; j < self.Length; j++) self[j] = j;
        var lists = NeighborIndexFactory.Create(vectors, null, kind, clustered).Search(vectors, self, k, threads);
        for (int q = 0; q < lists.QueryCount; q++)
        {
            var slots = lists.IndexSlots(q)[..lists.Counts[q]];
            for (int p = 0; p < slots.Length; p++) slots[p] = users[slots[p]];
        }
        return lists;
    }

    /// <summary>The mixtures of slots 0..n-1 as rows of the user key range (slot j = user row <paramref name="users"/>[j]).</summary>
    private static MixtureTable ByUserRow(MixtureTable bySlot, int[] users, int userCount)
    {
        var table = MixtureTable.ForUsers(userCount, users, bySlot.MaxComponents, bySlot.Dimension);
        for (int j = 0; j < users.Length; j++)
        {
            int u = users[j], n = bySlot.ComponentCount(j);
            bySlot.Clusters(j).CopyTo(table.WritableClusters(u));
            bySlot.Weights(j).CopyTo(table.WritableWeights(u));
            for (int c = 0; c < n && bySlot.HasEmbeddings; c++) bySlot.Embedding(j, c).CopyTo(table.WritableEmbedding(u, c));
            table.SetCount(u, n);
        }
        return table;
    }

    /// <summary>The input shape plus the three mixture columns.</summary>
    /// <exception cref="ArgumentException">A column is missing or has the wrong type.</exception>
    /// <param name="inputSchema">The shape of the rows <see cref="Fit"/> would read: the columns it lists.</param>
    /// <returns><paramref name="inputSchema"/> with the mixture clusters, weights and embeddings columns appended.</returns>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var o = _options;
        ShapeChecks.Key(inputSchema, o.UserColumnName, nameof(o.UserColumnName));
        ShapeChecks.Key(inputSchema, o.ItemColumnName, nameof(o.ItemColumnName));
        if (o.Lambda > 0) ShapeChecks.Vector(inputSchema, o.UserEmbeddingColumnName, nameof(o.UserEmbeddingColumnName), NumberDataViewType.Single);
        ShapeChecks.Vector(inputSchema, o.ItemEmbeddingColumnName, nameof(o.ItemEmbeddingColumnName), NumberDataViewType.Single);
        ShapeChecks.Key(inputSchema, o.ItemClusterColumnName, nameof(o.ItemClusterColumnName));
        return ShapeFactory.Append(inputSchema,
            ShapeFactory.KeyVector(o.MixtureClustersColumnName, 2, keyValues: true),
            ShapeFactory.DoubleVector(o.MixtureWeightsColumnName),
            ShapeFactory.FloatVector(o.MixtureEmbeddingsColumnName));
    }
}
