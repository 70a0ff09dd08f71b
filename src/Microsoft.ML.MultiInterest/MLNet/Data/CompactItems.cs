using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The items that occur in the fit data, in ascending key order (so the engine's "lower row wins" ties
/// become "lower key wins"): only these can be recommended, since only they have an embedding.
/// </summary>
internal sealed class CompactItems
{
    public CompactItems(EdgeRows rows)
    {
        // The read vectors are those of the items that occur, ascending: the compact items themselves.
        RowOf = rows.ItemVectors!.RowArray;
        Embeddings = rows.ItemVectors.Vectors;
        _items = rows.Items.Select(i => Array.BinarySearch(RowOf, i)).ToArray();
        _users = rows.Users.ToArray();
        ActiveUsers = _users.Distinct().Order().ToArray();
    }

    private readonly int[] _users;
    private readonly int[] _items;

    /// <summary>Item row (key - 1) of each compact index.</summary>
    public int[] RowOf { get; }

    /// <summary>Embeddings by compact index.</summary>
    public EmbeddingMatrix Embeddings { get; }

    /// <summary>
    /// The training edges over compact items, of the users with edges only: graph row j is user row
    /// <see cref="ActiveUsers"/>[j], so the graph follows the users in use, not the user key range (the exclusions of a
    /// retrieval stage, the histories of the mixtures).
    /// </summary>
    public BipartiteGraph ActiveHistory()
    {
        var slots = _users.Select(u => Array.BinarySearch(ActiveUsers, u)).ToArray();
        return BipartiteGraph.FromEdges(ActiveUsers.Length, RowOf.Length, slots, _items);
    }

    /// <summary>
    /// The clustering of the compact items from the cluster keys <paramref name="rows"/> read; an item with a missing cluster
    /// key is an error naming the column and the option that chose it.
    /// </summary>
    public ItemClustering Clustering(EdgeRows rows, string column, string option)
    {
        var assignments = new int[RowOf.Length];
        for (int j = 0; j < assignments.Length; j++)
        {
            assignments[j] = rows.ClusterOf(RowOf[j]);
            if (assignments[j] < 0)
                throw new ArgumentException($"Item key {RowOf[j] + 1} has a missing cluster key in column '{column}' (option {option}).");
        }
        return ItemClustering.Create(assignments, rows.ClusterCount, Embeddings);
    }

    /// <summary>
    /// The conditions (explicit topics) of the compact items from the condition key of every edge <paramref name="rows"/> read
    /// (<see cref="EdgeRows.EdgeClusters"/>): each item takes the condition most of its rows carry, ties to the lower key
    /// (<see cref="ItemConditions.FromEdges"/>); an item whose every row has the missing key (0) has no condition, and only
    /// the unimodal fill can return it.
    /// </summary>
    /// <exception cref="ArgumentException">No item has a condition.</exception>
    public ItemConditions Conditions(EdgeRows rows, IReadOnlyList<string> names, string column, string option)
    {
        var edgeConditions = rows.EdgeClusters ?? throw new InvalidOperationException("The condition of every edge was not read (EdgeColumns.ClusterPerEdge).");
        if (edgeConditions.TrueForAll(c => c < 0))
            throw new ArgumentException($"No item has a condition in column '{column}' (option {option}): every key is missing, so there is nothing to condition on.");
        return ItemConditions.FromEdges(RowOf.Length, _items, edgeConditions.Select(c => Math.Max(c, ItemConditions.None)).ToArray(), rows.ClusterCount, names);
    }

    /// <summary>Users with edges, ascending.</summary>
    public int[] ActiveUsers { get; }
}
