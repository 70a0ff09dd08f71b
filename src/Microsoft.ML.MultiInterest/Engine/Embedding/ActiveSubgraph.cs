namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The users and items of a graph that have at least one edge, renumbered densely in ascending order. Training runs
/// on this subgraph, so its time and memory follow the distinct ids that occur, not the index range: an ML.NET key
/// column typed <c>KeyType(10_000_000)</c> with 20,000 edges trains like a graph of its few thousand nodes. The engine's
/// public fit then spreads the tables back to the full index range, with zero vectors for nodes without edges; the ML.NET
/// trainer keeps the vectors of the nodes with edges only (<see cref="MultiInterest.KeyedEmbeddings"/>).
/// </summary>
internal sealed class ActiveSubgraph
{
    private ActiveSubgraph(int fullUserCount, int fullItemCount, int[] users, int[] items, BipartiteGraph graph)
    {
        FullUserCount = fullUserCount;
        FullItemCount = fullItemCount;
        Users = users;
        Items = items;
        Graph = graph;
    }

    /// <summary>The user index range of the graph the subgraph was taken from.</summary>
    public int FullUserCount { get; }

    /// <summary>The item index range of the graph the subgraph was taken from.</summary>
    public int FullItemCount { get; }

    /// <summary>Full-graph index of each subgraph user, ascending.</summary>
    public int[] Users { get; }

    /// <summary>Full-graph index of each subgraph item, ascending.</summary>
    public int[] Items { get; }

    /// <summary>The edges over the dense indices, in the same order per user.</summary>
    public BipartiteGraph Graph { get; }

    /// <summary>The subgraph of <paramref name="graph"/>'s nodes with edges, or null when every node has one.</summary>
    public static ActiveSubgraph? Of(BipartiteGraph graph)
    {
        var itemDegrees = graph.ItemDegrees();
        int activeItems = 0, activeUsers = 0;
        foreach (int degree in itemDegrees) if (degree > 0) activeItems++;
        for (int u = 0; u < graph.UserCount; u++) if (graph.DegreeOf(u) > 0) activeUsers++;
        if (activeUsers == graph.UserCount && activeItems == graph.ItemCount) return null;

        var users = new int[activeUsers];
        var items = new int[activeItems];
        var denseItem = new int[graph.ItemCount];
        for (int i = 0, next = 0; i < graph.ItemCount; i++)
        {
            if (itemDegrees[i] == 0) continue;
            denseItem[i] = next;
            items[next++] = i;
        }
        var edgeUsers = new int[graph.EdgeCount];
        var edgeItems = new int[graph.EdgeCount];
        for (int u = 0, next = 0, e = 0; u < graph.UserCount; u++)
        {
            var row = graph.ItemsOf(u);
            if (row.IsEmpty) continue;
            users[next] = u;
            foreach (int i in row)
            {
                edgeUsers[e] = next;
                edgeItems[e++] = denseItem[i];
            }
            next++;
        }
        // A monotone renumbering keeps each user's items in ascending order, so the subgraph's edges (and the random
        // streams that walk them) follow the full graph's order.
        var sub = BipartiteGraph.FromEdges(activeUsers, activeItems, edgeUsers, edgeItems, graph.EdgeWeights, graph.EdgeRelations, graph.RelationCount);
        return new ActiveSubgraph(graph.UserCount, graph.ItemCount, users, items, sub);
    }

    /// <summary>
    /// The subgraph of the nodes with edges, built from the edge lists of a graph over <paramref name="userCount"/> users and
    /// <paramref name="itemCount"/> items without building that graph (whose CSR offsets and degree counts would cost a few
    /// ints per index of the range); null when every node has an edge. The same subgraph as <see cref="Of"/> of
    /// <see cref="BipartiteGraph.FromEdges(int, int, ReadOnlySpan{int}, ReadOnlySpan{int}, ReadOnlySpan{float}, ReadOnlySpan{int}, int)"/>
    /// of the same lists: the renumbering is monotone, so the graph's merging and ordering of edges are unchanged.
    /// </summary>
    public static ActiveSubgraph? FromEdges(int userCount, int itemCount, int[] users, int[] items, ReadOnlySpan<float> weights, ReadOnlySpan<int> relations, int relationCount)
    {
        if (users.Length == 0) return null;
        var activeUsers = users.Distinct().Order().ToArray();
        var activeItems = items.Distinct().Order().ToArray();
        if (activeUsers.Length == userCount && activeItems.Length == itemCount) return null;
        foreach (int u in new[] { activeUsers[0], activeUsers[^1] })
            if ((uint)u >= (uint)userCount) throw new ArgumentOutOfRangeException(nameof(users), $"An edge has user index {u}, outside 0..{userCount - 1}.");
        foreach (int i in new[] { activeItems[0], activeItems[^1] })
            if ((uint)i >= (uint)itemCount) throw new ArgumentOutOfRangeException(nameof(items), $"An edge has item index {i}, outside 0..{itemCount - 1}.");
        var edgeUsers = users.Select(u => Array.BinarySearch(activeUsers, u)).ToArray();
        var edgeItems = items.Select(i => Array.BinarySearch(activeItems, i)).ToArray();
        var sub = BipartiteGraph.FromEdges(activeUsers.Length, activeItems.Length, edgeUsers, edgeItems, weights, relations, relationCount);
        return new ActiveSubgraph(userCount, itemCount, activeUsers, activeItems, sub);
    }

    /// <summary>
    /// Spreads a result fitted on <see cref="Graph"/> back to the full graph's index range; <paramref name="itemClusters"/> is the
    /// full-range clustering a divide-and-conquer fit was given (null when it clustered the items itself).
    /// </summary>
    public GraphEmbeddingResult Expand(GraphEmbeddingResult result, int[]? itemClusters = null)
    {
        return new GraphEmbeddingResult(Spread(result.UserEmbeddings, Users, FullUserCount, 1), Spread(result.ItemEmbeddings, Items, FullItemCount, 1), result.Epochs)
        {
            Algorithm = result.Algorithm,
            Settings = result.Settings,
            Als = result.Als,
            Validation = result.Validation,
            SelectionSeconds = result.SelectionSeconds,
            ChosenOptions = result.ChosenOptions,
            Holdout = ExpandHoldout(result.Holdout),
            Mixture = ExpandMixture(result.Mixture),
            Dcm = ExpandDcm(result.Dcm),
            DivideConquer = ExpandDivideConquer(result.DivideConquer, itemClusters),
        };
    }

    /// <summary>
    /// A divide-and-conquer model fitted on <see cref="Graph"/> moved to the full index range: zero item and user rows for the
    /// nodes without edges, which keep their given cluster (<paramref name="itemClusters"/>) or go to cluster 0, as a zero vector
    /// does in spherical k-means, but are no cluster's members, so a quota retrieval in the model's clustering never lists them
    /// (it listed them at score 0, above the cluster's items of negative score); prompts, the attention query, the
    /// self-attention positions and matrix and the cluster prior are the fitted ones.
    /// </summary>
    public DivideConquerModel? ExpandDivideConquer(DivideConquerModel? model, int[]? itemClusters)
    {
        if (model == null) return null;
        var assignments = itemClusters ?? new int[FullItemCount];
        if (itemClusters == null)
            for (int n = 0; n < Items.Length; n++) assignments[Items[n]] = model.Clustering.ClusterOf(n);
        var items = Spread(model.Items, Items, FullItemCount, 1);
        return new DivideConquerModel(model.Encoder, items,
            model.HistoryItems == null ? null : Spread(model.HistoryItems, Items, FullItemCount, 1),
            model.UserVectors == null ? null : Spread(model.UserVectors, Users, FullUserCount, 1),
            model.Prompts, model.AttentionQuery, model.Positions, model.AttentionMixing, ItemClustering.CreateUnlisting(assignments, model.Clustering.ClusterCount, items, Unlisted()),
            model.ClusterPrior.ToArray(), model.IntentSmoothing, model.Components);
    }

    /// <summary>Flags the full range's items without edges (those not in <see cref="Items"/>).</summary>
    private bool[] Unlisted()
    {
        var unlisted = new bool[FullItemCount];
        Array.Fill(unlisted, true);
        foreach (int item in Items) unlisted[item] = false;
        return unlisted;
    }

    /// <summary>Mixture components fitted on <see cref="Graph"/> moved to the full index range (zero components, equal weights elsewhere).</summary>
    public MixtureEmbeddingResult? ExpandMixture(MixtureEmbeddingResult? mixture) =>
        mixture == null ? null : new MixtureEmbeddingResult(mixture.SourceComponents, mixture.DestinationComponents,
            Spread(mixture.UserComponents, Users, FullUserCount, mixture.SourceComponents),
            Spread(mixture.ItemComponents, Items, FullItemCount, mixture.DestinationComponents),
            SpreadWeights(mixture.UserWeights, mixture.SourceComponents));

    /// <summary>A differentiable-clustering model fitted on <see cref="Graph"/> with its item table moved to the full index range.</summary>
    public DcmModel? ExpandDcm(DcmModel? dcm) =>
        dcm == null ? null : new DcmModel(Spread(dcm.Items, Items, FullItemCount, 1), dcm.Seeds, dcm.Temperature, dcm.PriorWeight, dcm.Iterations, dcm.WeightExponent);

    /// <summary>A hold-out of the subgraph moved to the full index range: the same edges, zero vectors for nodes without edges.</summary>
    public ValidationHoldout? ExpandHoldout(ValidationHoldout? holdout) =>
        holdout == null ? null : new ValidationHoldout(ExpandGraph(holdout.Train), ExpandGraph(holdout.Validation),
            Spread(holdout.UserEmbeddings, Users, FullUserCount, 1), Spread(holdout.ItemEmbeddings, Items, FullItemCount, 1));

    /// <summary>A graph over the subgraph's rows renumbered to the full range (monotone, so edge order is kept).</summary>
    private BipartiteGraph ExpandGraph(BipartiteGraph graph)
    {
        var users = new int[graph.EdgeCount];
        var items = new int[graph.EdgeCount];
        for (int u = 0, e = 0; u < graph.UserCount; u++)
            foreach (int i in graph.ItemsOf(u))
            {
                users[e] = Users[u];
                items[e++] = Items[i];
            }
        return BipartiteGraph.FromEdges(FullUserCount, FullItemCount, users, items, graph.EdgeWeights, graph.EdgeRelations, graph.RelationCount);
    }

    /// <summary>Rows of <paramref name="dense"/> (<paramref name="block"/> rows per node) moved to their full indices; other rows zero.</summary>
    private static EmbeddingMatrix Spread(EmbeddingMatrix dense, int[] fullIndex, int fullCount, int block)
    {
        var full = new EmbeddingMatrix(checked(fullCount * block), dense.Dimension);
        int width = block * dense.Dimension;
        for (int n = 0; n < fullIndex.Length; n++)
            dense.Values.AsSpan(n * width, width).CopyTo(full.Values.AsSpan(fullIndex[n] * width, width));
        return full;
    }

    /// <summary>Mixture weights moved to their full user indices; a user without edges gets equal weights, which still sum to 1.</summary>
    private double[] SpreadWeights(double[] dense, int components)
    {
        var full = new double[checked(FullUserCount * components)];
        Array.Fill(full, 1.0 / components);
        for (int n = 0; n < Users.Length; n++)
            dense.AsSpan(n * components, components).CopyTo(full.AsSpan(Users[n] * components, components));
        return full;
    }
}
