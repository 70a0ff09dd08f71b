namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The components learned by <see cref="EmbeddingAlgorithm.MixtureEmbedding"/>: <see cref="SourceComponents"/> unit-length
/// vectors per user and <see cref="DestinationComponents"/> per item, with the post-hoc mixture weights of the users.
/// Carried by <see cref="GraphEmbeddingResult.Mixture"/>; the result's single-vector tables hold each side's mean
/// component (for C_d = 1 the item table is the item components themselves), so every single-vector stage still works.
/// </summary>
public sealed class MixtureEmbeddingResult
{
    /// <summary>Creates a result.</summary>
    /// <param name="sourceComponents">C_s, components per user.</param>
    /// <param name="destinationComponents">C_d, components per item.</param>
    /// <param name="userComponents">Rows <c>u × C_s + c</c>: component c of user u.</param>
    /// <param name="itemComponents">Rows <c>i × C_d + l</c>: component l of item i.</param>
    /// <param name="userWeights">Per user, C_s non-negative weights summing to 1 (row-major, users × C_s).</param>
    public MixtureEmbeddingResult(int sourceComponents, int destinationComponents, EmbeddingMatrix userComponents, EmbeddingMatrix itemComponents,
        double[] userWeights)
    {
        ArgumentNullException.ThrowIfNull(userComponents);
        ArgumentNullException.ThrowIfNull(itemComponents);
        ArgumentNullException.ThrowIfNull(userWeights);
        if (sourceComponents < 1) throw new ArgumentOutOfRangeException(nameof(sourceComponents), sourceComponents, "At least one source component is needed.");
        if (destinationComponents < 1) throw new ArgumentOutOfRangeException(nameof(destinationComponents), destinationComponents, "At least one destination component is needed.");
        if (userComponents.Rows % sourceComponents != 0 || itemComponents.Rows % destinationComponents != 0)
            throw new ArgumentException("The component tables must hold whole users and items.");
        if (userComponents.Dimension != itemComponents.Dimension) throw new ArgumentException("User and item components differ in dimension.");
        if (userWeights.Length != userComponents.Rows) throw new ArgumentException("There must be one weight per user component.", nameof(userWeights));
        SourceComponents = sourceComponents;
        DestinationComponents = destinationComponents;
        UserComponents = userComponents;
        ItemComponents = itemComponents;
        UserWeights = userWeights;
    }

    /// <summary>C_s, components per user.</summary>
    public int SourceComponents { get; }

    /// <summary>C_d, components per item.</summary>
    public int DestinationComponents { get; }

    /// <summary>Unit-length user components; row <c>u × C_s + c</c> is component c of user u.</summary>
    public EmbeddingMatrix UserComponents { get; }

    /// <summary>Unit-length item components; row <c>i × C_d + l</c> is component l of item i.</summary>
    public EmbeddingMatrix ItemComponents { get; }

    /// <summary>Post-hoc weights of the user components (users × C_s, each user's sum to 1; uniform for users without edges).</summary>
    public double[] UserWeights { get; }

    /// <summary>Number of users.</summary>
    public int UserCount => UserComponents.Rows / SourceComponents;

    /// <summary>Number of items.</summary>
    public int ItemCount => ItemComponents.Rows / DestinationComponents;

    /// <summary>Dimension d of every component.</summary>
    public int Dimension => UserComponents.Dimension;

    /// <summary>The C_s components of <paramref name="user"/>, consecutive rows.</summary>
    /// <param name="user">A user index, 0 to <see cref="UserCount"/> - 1.</param>
    /// <returns>A view of <see cref="SourceComponents"/> x <see cref="Dimension"/> values, no copy.</returns>
    public ReadOnlySpan<float> ComponentsOfUser(int user) =>
        UserComponents.Values.AsSpan(user * SourceComponents * Dimension, SourceComponents * Dimension);

    /// <summary>The C_d components of <paramref name="item"/>, consecutive rows.</summary>
    /// <param name="item">An item index, 0 to <see cref="ItemCount"/> - 1.</param>
    /// <returns>A view of <see cref="DestinationComponents"/> x <see cref="Dimension"/> values, no copy.</returns>
    public ReadOnlySpan<float> ComponentsOfItem(int item) =>
        ItemComponents.Values.AsSpan(item * DestinationComponents * Dimension, DestinationComponents * Dimension);

    /// <summary>The weights of <paramref name="user"/>'s components.</summary>
    /// <param name="user">A user index, 0 to <see cref="UserCount"/> - 1.</param>
    /// <returns>A view of <see cref="SourceComponents"/> weights, no copy.</returns>
    public ReadOnlySpan<double> WeightsOfUser(int user) => UserWeights.AsSpan(user * SourceComponents, SourceComponents);

    /// <summary>
    /// A copy sharing the components with post-hoc weights recomputed at temperature <paramref name="weightGamma"/>
    /// (<c>w_{s,c} ∝ Σ_{(s,d) ∈ graph} Σ_l e^{M[c,l]/γ_T}</c>; see <see cref="MixtureEmbeddingOptions.WeightGamma"/>): the
    /// weights are not trained, so the temperature can be chosen after training, on a validation hold-out.
    /// </summary>
    /// <param name="graph">The edges the weights sum over (the training graph, or any graph over the same users and items).</param>
    /// <param name="weightGamma">γ_T within 0.001..1000.</param>
    /// <param name="threads">Degree of parallelism (0 = all cores).</param>
    /// <param name="relations">
    /// The relations (ids within 0..<see cref="BipartiteGraph.RelationCount"/> − 1 of <paramref name="graph"/>) whose edges the
    /// weights sum over, e.g. the tasks retrieval serves; null or omitted: all edges. Users without an edge of these
    /// relations get uniform weights.
    /// </param>
    /// <returns>A new result sharing this one's components.</returns>
    public MixtureEmbeddingResult WithWeights(BipartiteGraph graph, float weightGamma, int threads = 0, IReadOnlyCollection<int>? relations = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (!float.IsFinite(weightGamma) || weightGamma < 1e-3f || weightGamma > 1e3f)
            throw new ArgumentOutOfRangeException(nameof(weightGamma), weightGamma, "weightGamma must be within 0.001..1000.");
        if (graph.UserCount != UserCount || graph.ItemCount != ItemCount)
            throw new ArgumentException($"The graph has {graph.UserCount} users and {graph.ItemCount} items, the model {UserCount} and {ItemCount}.", nameof(graph));
        if (relations != null)
        {
            if (relations.Count == 0) throw new ArgumentException("The relation subset is empty: give at least one relation, or null for all edges.", nameof(relations));
            foreach (int r in relations)
            {
                if ((uint)r >= (uint)graph.RelationCount)
                    throw new ArgumentOutOfRangeException(nameof(relations), r, $"Relation {r} is outside 0..{graph.RelationCount - 1}, the graph's relations.");
            }
        }
        var counted = MixtureWeights.Filter(graph.RelationCount, relations);
        var weights = MixtureWeights.Compute(graph, UserComponents, ItemComponents, SourceComponents, DestinationComponents, weightGamma,
            Parallelism.Workers(threads), counted);
        return new MixtureEmbeddingResult(SourceComponents, DestinationComponents, UserComponents, ItemComponents, weights);
    }

    /// <summary>
    /// A copy sharing the components whose weights are raised to <paramref name="exponent"/> and normalised per user
    /// (<c>w_c^a / Σ_l w_l^a</c>): for a DCM model trained with exponent 1, exactly the weights of
    /// <see cref="DcmOptions.WeightExponent"/> = <paramref name="exponent"/>, so the exponent can be chosen after training.
    /// </summary>
    /// <param name="exponent">a within [0, 16]; 0 gives equal weights.</param>
    /// <returns>A new result sharing this one's components.</returns>
    public MixtureEmbeddingResult WithWeightExponent(float exponent)
    {
        if (!float.IsFinite(exponent) || exponent < 0 || exponent > 16)
            throw new ArgumentOutOfRangeException(nameof(exponent), exponent, "The weight exponent must be within [0, 16].");
        var weights = (double[])UserWeights.Clone();
        for (int u = 0; u < UserCount; u++) WeightPower.Apply(weights.AsSpan(u * SourceComponents, SourceComponents), exponent);
        return new MixtureEmbeddingResult(SourceComponents, DestinationComponents, UserComponents, ItemComponents, weights);
    }

    /// <summary>
    /// The users' components as a <see cref="MixtureTable"/> for <paramref name="users"/> (its cluster ids are the component
    /// indices), in descending weight order (ties to the lower component), for round-robin retrieval and the goodness of fit.
    /// </summary>
    /// <param name="users">The users to take (indices 0 to <see cref="UserCount"/> - 1); not null.</param>
    /// <returns>A new mixture table with rows for <paramref name="users"/>.</returns>
    public MixtureTable ToMixtureTable(IReadOnlyList<int> users)
    {
        ArgumentNullException.ThrowIfNull(users);
        var table = MixtureTable.ForUsers(UserCount, users, SourceComponents, Dimension);
        foreach (int u in users) WriteSorted(table, u, ComponentsOfUser(u), WeightsOfUser(u));
        return table;
    }

    /// <summary>
    /// Writes one user's C_s components (consecutive rows) and weights into <paramref name="table"/>'s row of
    /// <paramref name="user"/>, in descending weight order (ties to the lower component), the component indices as its
    /// clusters: how <see cref="ToMixtureTable"/> lays out every user, shared with the tables served from ML.NET columns.
    /// </summary>
    internal static void WriteSorted(MixtureTable table, int user, ReadOnlySpan<float> components, ReadOnlySpan<double> weights)
    {
        int cs = weights.Length, d = table.Dimension;
        Span<int> order = cs <= 64 ? stackalloc int[cs] : new int[cs];
        for (int c = 0; c < cs; c++) order[c] = c;
        // Insertion sort: a handful of components, stable, so equal weights keep component order.
        for (int a = 1; a < cs; a++)
            for (int b = a; b > 0 && weights[order[b]] > weights[order[b - 1]]; b--) (order[b], order[b - 1]) = (order[b - 1], order[b]);
        table.SetCount(user, cs);
        var clusters = table.WritableClusters(user);
        var w = table.WritableWeights(user);
        for (int r = 0; r < cs; r++)
        {
            clusters[r] = order[r];
            w[r] = weights[order[r]];
            components.Slice(order[r] * d, d).CopyTo(table.WritableEmbedding(user, r));
        }
    }
}
