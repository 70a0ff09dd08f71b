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
    private ActiveSubgraph(BipartiteGraph full, int[] users, int[] items, BipartiteGraph graph)
    {
        Full = full;
        Users = users;
        Items = items;
        Graph = graph;
    }

    /// <summary>The graph the subgraph was taken from.</summary>
    public BipartiteGraph Full { get; }

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
        return new ActiveSubgraph(graph, users, items, sub);
    }

    /// <summary>
    /// Spreads a result fitted on <see cref="Graph"/> back to the full graph's index range; <paramref name="itemClusters"/> is the
    /// full-range clustering a divide-and-conquer fit was given (null when it clustered the items itself).
    /// </summary>
    public GraphEmbeddingResult Expand(GraphEmbeddingResult result, int[]? itemClusters = null)
    {
        return new GraphEmbeddingResult(Spread(result.UserEmbeddings, Users, Full.UserCount, 1), Spread(result.ItemEmbeddings, Items, Full.ItemCount, 1), result.Epochs)
        {
            Algorithm = result.Algorithm,
            Settings = result.Settings,
            Validation = result.Validation,
            SelectionSeconds = result.SelectionSeconds,
            Mixture = ExpandMixture(result.Mixture),
            Dcm = ExpandDcm(result.Dcm),
            DivideConquer = ExpandDivideConquer(result.DivideConquer, itemClusters),
        };
    }

    /// <summary>
    /// A divide-and-conquer model fitted on <see cref="Graph"/> moved to the full index range: zero item and user rows for the
    /// nodes without edges, which keep their given cluster (<paramref name="itemClusters"/>) or go to cluster 0, as a zero vector
    /// does in spherical k-means; prompts, the attention query and the cluster prior are the fitted ones.
    /// </summary>
    public DivideConquerModel? ExpandDivideConquer(DivideConquerModel? model, int[]? itemClusters)
    {
        if (model == null) return null;
        var assignments = itemClusters ?? new int[Full.ItemCount];
        if (itemClusters == null)
            for (int n = 0; n < Items.Length; n++) assignments[Items[n]] = model.Clustering.ClusterOf(n);
        var items = Spread(model.Items, Items, Full.ItemCount, 1);
        return new DivideConquerModel(model.Encoder, items,
            model.HistoryItems == null ? null : Spread(model.HistoryItems, Items, Full.ItemCount, 1),
            model.UserVectors == null ? null : Spread(model.UserVectors, Users, Full.UserCount, 1),
            model.Prompts, model.AttentionQuery, ItemClustering.Create(assignments, model.Clustering.ClusterCount, items),
            model.ClusterPrior.ToArray(), model.IntentSmoothing, model.Components);
    }

    /// <summary>Mixture components fitted on <see cref="Graph"/> moved to the full index range (zero components, equal weights elsewhere).</summary>
    public MixtureEmbeddingResult? ExpandMixture(MixtureEmbeddingResult? mixture) =>
        mixture == null ? null : new MixtureEmbeddingResult(mixture.SourceComponents, mixture.DestinationComponents,
            Spread(mixture.UserComponents, Users, Full.UserCount, mixture.SourceComponents),
            Spread(mixture.ItemComponents, Items, Full.ItemCount, mixture.DestinationComponents),
            SpreadWeights(mixture.UserWeights, mixture.SourceComponents));

    /// <summary>A differentiable-clustering model fitted on <see cref="Graph"/> with its item table moved to the full index range.</summary>
    public DcmModel? ExpandDcm(DcmModel? dcm) =>
        dcm == null ? null : new DcmModel(Spread(dcm.Items, Items, Full.ItemCount, 1), dcm.Seeds, dcm.Temperature, dcm.PriorWeight, dcm.Iterations);

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
        var full = new double[checked(Full.UserCount * components)];
        Array.Fill(full, 1.0 / components);
        for (int n = 0; n < Users.Length; n++)
            dense.AsSpan(n * components, components).CopyTo(full.AsSpan(Users[n] * components, components));
        return full;
    }
}
