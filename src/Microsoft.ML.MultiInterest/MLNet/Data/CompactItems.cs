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
        var keys = new List<int>();
        IndexOfRow = new int[rows.ItemCount];
        for (int i = 0; i < rows.ItemCount; i++)
        {
            IndexOfRow[i] = rows.ItemSeen[i] ? keys.Count : -1;
            if (rows.ItemSeen[i]) keys.Add(i);
        }
        RowOf = keys.ToArray();
        // The read vectors are those of the items that occur, ascending: the compact items themselves.
        Embeddings = rows.ItemVectors!.Vectors;
        _items = rows.Items.Select(i => IndexOfRow[i]).ToArray();
        _users = rows.Users.ToArray();
        _userCount = rows.UserCount;
        _graph = new(() => BipartiteGraph.FromEdges(_userCount, RowOf.Length, _users, _items));
        ActiveUsers = _users.Distinct().Order().ToArray();
    }

    private readonly int[] _users;
    private readonly int[] _items;
    private readonly int _userCount;
    private readonly Lazy<BipartiteGraph> _graph;

    /// <summary>Item row (key - 1) of each compact index.</summary>
    public int[] RowOf { get; }

    /// <summary>Compact index of each item row, or -1.</summary>
    public int[] IndexOfRow { get; }

    /// <summary>Embeddings by compact index.</summary>
    public EmbeddingMatrix Embeddings { get; }

    /// <summary>The training edges over user rows and compact items (built when first asked for: it has a row per user key).</summary>
    public BipartiteGraph Graph => _graph.Value;

    /// <summary>
    /// The training edges of the users with edges only: graph row j is user row <see cref="ActiveUsers"/>[j], so the table
    /// follows the users in use, not the user key range (what a retrieval stage keeps as its exclusions).
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

    /// <summary>Users with edges, ascending.</summary>
    public int[] ActiveUsers { get; }
}
