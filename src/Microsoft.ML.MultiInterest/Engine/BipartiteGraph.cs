namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// An engagement graph between users and items in compressed sparse row form: for each user, its
/// distinct items in ascending index order, with an optional weight per edge and an optional relation (edge type) per
/// edge, for multi-task training (<see cref="EmbeddingAlgorithm.MixtureEmbedding"/>).
/// </summary>
public sealed class BipartiteGraph
{
    private readonly int[] _offsets;
    private readonly int[] _items;
    private readonly float[]? _weights;
    private readonly int[]? _relations;

    private BipartiteGraph(int userCount, int itemCount, int[] offsets, int[] items, float[]? weights, int[]? relations = null, int relationCount = 1)
    {
        _relations = relations;
        RelationCount = relationCount;
        UserCount = userCount;
        ItemCount = itemCount;
        _offsets = offsets;
        _items = items;
        _weights = weights;
    }

    /// <summary>
    /// A graph from rows already laid out: row u's items are <paramref name="items"/>[<paramref name="offsets"/>[u] ..
    /// <paramref name="offsets"/>[u + 1]), ascending and distinct, each below <paramref name="itemCount"/> (the caller's
    /// guarantee, not checked); no weights or relations.
    /// </summary>
    internal static BipartiteGraph FromSortedRows(int itemCount, int[] offsets, int[] items) =>
        new(offsets.Length - 1, itemCount, offsets, items, null);

    /// <summary>Number of users (rows); users without edges count too.</summary>
    public int UserCount { get; }

    /// <summary>Number of items.</summary>
    public int ItemCount { get; }

    /// <summary>Number of distinct (user, item) edges.</summary>
    public int EdgeCount => _items.Length;

    /// <summary>True when edges carry weights.</summary>
    public bool HasWeights => _weights != null;

    /// <summary>Number of relations (edge types) R; edges carry relation ids 0..R − 1. 1 for a graph built without relations.</summary>
    public int RelationCount { get; }

    /// <summary>True when edges carry relation ids.</summary>
    public bool HasRelations => _relations != null;

    /// <summary>The relation of every edge, aligned with <see cref="EdgeItems"/> (empty when the graph has no relations: all are relation 0).</summary>
    public ReadOnlySpan<int> EdgeRelations => _relations;

    /// <summary>The items of <paramref name="user"/>, ascending.</summary>
    /// <param name="user">A user index, 0 to <see cref="UserCount"/> - 1 (not checked beyond the array bounds).</param>
    /// <returns>A view of the user's item indices, no copy.</returns>
    public ReadOnlySpan<int> ItemsOf(int user) => _items.AsSpan(_offsets[user], _offsets[user + 1] - _offsets[user]);

    /// <summary>The edge weights of <paramref name="user"/>, aligned with <see cref="ItemsOf"/>.</summary>
    /// <param name="user">A user index, 0 to <see cref="UserCount"/> - 1.</param>
    /// <returns>A view of the user's edge weights, no copy.</returns>
    /// <exception cref="InvalidOperationException">The graph has no edge weights (<see cref="HasWeights"/> is false).</exception>
    public ReadOnlySpan<float> WeightsOf(int user) =>
        _weights == null ? throw new InvalidOperationException("The graph has no edge weights.") : _weights.AsSpan(_offsets[user], _offsets[user + 1] - _offsets[user]);

    /// <summary>The number of items of <paramref name="user"/>.</summary>
    /// <param name="user">A user index, 0 to <see cref="UserCount"/> - 1.</param>
    /// <returns>The count of the user's distinct items.</returns>
    public int DegreeOf(int user) => _offsets[user + 1] - _offsets[user];

    /// <summary>Row offsets into the edge arrays (length <see cref="UserCount"/> + 1).</summary>
    public ReadOnlySpan<int> Offsets => _offsets;

    /// <summary>The item of every edge, grouped by user.</summary>
    public ReadOnlySpan<int> EdgeItems => _items;

    /// <summary>The weight of every edge (null when unweighted).</summary>
    public ReadOnlySpan<float> EdgeWeights => _weights;

    /// <summary>This graph without its edge weights (the same edge arrays, shared; itself when it has none).</summary>
    internal BipartiteGraph WithoutWeights() => _weights == null ? this : new BipartiteGraph(UserCount, ItemCount, _offsets, _items, null, _relations, RelationCount);

    /// <summary>True when <paramref name="user"/> has an edge to <paramref name="item"/>.</summary>
    /// <param name="user">A user index, 0 to <see cref="UserCount"/> - 1.</param>
    /// <param name="item">An item index; any value (one out of range is never contained).</param>
    /// <returns>True if the edge exists.</returns>
    public bool Contains(int user, int item) => SortedContains(ItemsOf(user), item);

    /// <summary>
    /// True when the ascending <paramref name="sorted"/> holds <paramref name="value"/>: a vectorised scan for short spans
    /// (a typical user's items: no unpredictable branch), a binary search for long ones. The exact-search filters ask this
    /// for every candidate.
    /// </summary>
    internal static bool SortedContains(ReadOnlySpan<int> sorted, int value) =>
        sorted.Length <= 64 ? sorted.Contains(value) : sorted.BinarySearch(value) >= 0;

    /// <summary>The number of users engaging with each item.</summary>
    /// <returns>A new array of <see cref="ItemCount"/> degrees, by item index.</returns>
    public int[] ItemDegrees()
    {
        var degrees = new int[ItemCount];
        foreach (int item in _items) degrees[item]++;
        return degrees;
    }

    /// <summary>
    /// Builds a graph from edge lists. Duplicate (user, item) pairs are merged (their weights summed).
    /// </summary>
    /// <param name="userCount">Number of users; every user index must be below it.</param>
    /// <param name="itemCount">Number of items; every item index must be below it.</param>
    /// <param name="users">User index of each edge.</param>
    /// <param name="items">Item index of each edge.</param>
    /// <param name="weights">Optional positive finite weight of each edge.</param>
    /// <returns>A new graph, each user's items ascending; weighted when <paramref name="weights"/> is given.</returns>
    public static BipartiteGraph FromEdges(int userCount, int itemCount, ReadOnlySpan<int> users, ReadOnlySpan<int> items, ReadOnlySpan<float> weights = default) =>
        FromEdges(userCount, itemCount, users, items, weights, default, 1);

    /// <summary>
    /// Builds a graph whose edges carry relation ids (edge types; multi-task training). Duplicate (user, item) pairs of one
    /// relation are merged (weights summed); a pair in two relations is rejected, since an edge has one relation.
    /// </summary>
    /// <param name="userCount">Number of users; every user index must be below it.</param>
    /// <param name="itemCount">Number of items; every item index must be below it.</param>
    /// <param name="users">User index of each edge.</param>
    /// <param name="items">Item index of each edge.</param>
    /// <param name="weights">Optional positive finite weight of each edge.</param>
    /// <param name="relations">Relation id of each edge within 0..<paramref name="relationCount"/> − 1; empty for a graph without relations.</param>
    /// <param name="relationCount">Number of relations R ≥ 1 (relations without edges are allowed).</param>
    /// <returns>A new graph, each user's items ascending.</returns>
    public static BipartiteGraph FromEdges(int userCount, int itemCount, ReadOnlySpan<int> users, ReadOnlySpan<int> items, ReadOnlySpan<float> weights,
        ReadOnlySpan<int> relations, int relationCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(userCount);
        ArgumentOutOfRangeException.ThrowIfNegative(itemCount);
        if (users.Length != items.Length) throw new ArgumentException("The user and item edge lists differ in length.", nameof(items));
        bool weighted = !weights.IsEmpty;
        if (weighted && weights.Length != users.Length) throw new ArgumentException("The weight list differs in length from the edge list.", nameof(weights));
        if (relationCount < 1) throw new ArgumentOutOfRangeException(nameof(relationCount), relationCount, "There must be at least one relation.");
        bool related = !relations.IsEmpty;
        if (related && relations.Length != users.Length) throw new ArgumentException("The relation list differs in length from the edge list.", nameof(relations));

        var counts = new int[userCount + 1];
        for (int e = 0; e < users.Length; e++)
        {
            int u = users[e], i = items[e];
            if ((uint)u >= (uint)userCount) throw new ArgumentOutOfRangeException(nameof(users), $"Edge {e} has user index {u}, outside 0..{userCount - 1}.");
            if ((uint)i >= (uint)itemCount) throw new ArgumentOutOfRangeException(nameof(items), $"Edge {e} has item index {i}, outside 0..{itemCount - 1}.");
            if (weighted && (!float.IsFinite(weights[e]) || weights[e] <= 0))
                throw new ArgumentException($"Edge {e} has weight {weights[e]}; weights must be positive and finite.", nameof(weights));
            if (related && (uint)relations[e] >= (uint)relationCount)
                throw new ArgumentOutOfRangeException(nameof(relations), $"Edge {e} has relation {relations[e]}, outside 0..{relationCount - 1}.");
            counts[u + 1]++;
        }
        for (int u = 0; u < userCount; u++) counts[u + 1] += counts[u];
        var cursor = (int[])counts.Clone();
        var rawItems = new int[users.Length];
        var rawWeights = weighted ? new float[users.Length] : null;
        var rawRelations = related ? new int[users.Length] : null;
        for (int e = 0; e < users.Length; e++)
        {
            int slot = cursor[users[e]]++;
            rawItems[slot] = items[e];
            if (rawWeights != null) rawWeights[slot] = weights[e];
            if (rawRelations != null) rawRelations[slot] = relations[e];
        }
        // With relations, rows are sorted through a position array so that weights and relations follow their items.
        int[]? positions = related ? new int[users.Length] : null;
        float[]? sortedWeights = related && weighted ? new float[users.Length] : null;
        int[]? sortedRelations = related ? new int[users.Length] : null;

        // Sort each row and merge duplicates.
        var offsets = new int[userCount + 1];
        int write = 0;
        for (int u = 0; u < userCount; u++)
        {
            int start = counts[u], end = counts[u + 1];
            if (positions != null)
            {
                for (int e = start; e < end; e++) positions[e] = e;
                Array.Sort(rawItems, positions, start, end - start);
                for (int e = start; e < end; e++)
                {
                    sortedRelations![e] = rawRelations![positions[e]];
                    if (sortedWeights != null) sortedWeights[e] = rawWeights![positions[e]];
                }
                sortedRelations.AsSpan(start, end - start).CopyTo(rawRelations.AsSpan(start));
                if (sortedWeights != null) sortedWeights.AsSpan(start, end - start).CopyTo(rawWeights.AsSpan(start));
            }
            else if (rawWeights != null) Array.Sort(rawItems, rawWeights, start, end - start);
            else Array.Sort(rawItems, start, end - start);
            offsets[u] = write;
            for (int e = start; e < end; e++)
            {
                if (write > offsets[u] && rawItems[write - 1] == rawItems[e])
                {
                    if (rawRelations != null && rawRelations[write - 1] != rawRelations[e])
                        throw new ArgumentException($"The edge (user {u}, item {rawItems[e]}) occurs in relations {Math.Min(rawRelations[write - 1], rawRelations[e])} and "
                            + $"{Math.Max(rawRelations[write - 1], rawRelations[e])}: an edge belongs to one relation.", nameof(relations));
                    if (rawWeights != null)
                    {
                        // Each weight was checked finite; their sum may not be (two of 2e38 make infinity, which no trainer survives).
                        rawWeights[write - 1] += rawWeights[e];
                        if (!float.IsFinite(rawWeights[write - 1]))
                            throw new ArgumentException($"The weights of the repeated edge (user {u}, item {rawItems[e]}) add up to more than a float holds: "
                                + "scale the weights down.", nameof(weights));
                    }
                    continue;
                }
                rawItems[write] = rawItems[e];
                if (rawWeights != null) rawWeights[write] = rawWeights[e];
                if (rawRelations != null) rawRelations[write] = rawRelations[e];
                write++;
            }
        }
        offsets[userCount] = write;
        Array.Resize(ref rawItems, write);
        if (rawWeights != null) Array.Resize(ref rawWeights, write);
        if (rawRelations != null) Array.Resize(ref rawRelations, write);
        return new BipartiteGraph(userCount, itemCount, offsets, rawItems, rawWeights, rawRelations, relationCount);
    }
}
