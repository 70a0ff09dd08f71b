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
        var users = rows.Users;
        var items = rows.Items.Select(i => IndexOfRow[i]).ToArray();
        Graph = BipartiteGraph.FromEdges(rows.UserCount, RowOf.Length, users.ToArray(), items);
    }

    /// <summary>Item row (key - 1) of each compact index.</summary>
    public int[] RowOf { get; }

    /// <summary>Compact index of each item row, or -1.</summary>
    public int[] IndexOfRow { get; }

    /// <summary>Embeddings by compact index.</summary>
    public EmbeddingMatrix Embeddings { get; }

    /// <summary>The training edges over compact items: the exclusions.</summary>
    public BipartiteGraph Graph { get; }

    /// <summary>
    /// The clustering of the compact items from the cluster keys <paramref name="rows"/> read; an item with a missing cluster
    /// key is an error naming the column and the option that chose it.
    /// </summary>
    public ItemClustering Clustering(EdgeRows rows, string column, string option)
    {
        var assignments = new int[RowOf.Length];
        for (int j = 0; j < assignments.Length; j++)
        {
            assignments[j] = rows.ItemClusters![RowOf[j]];
            if (assignments[j] < 0)
                throw new ArgumentException($"Item key {RowOf[j] + 1} has a missing cluster key in column '{column}' (option {option}).");
        }
        return ItemClustering.Create(assignments, rows.ClusterCount, Embeddings);
    }

    /// <summary>Users with edges, ascending.</summary>
    public int[] ActiveUsers() => Enumerable.Range(0, Graph.UserCount).Where(u => Graph.DegreeOf(u) > 0).ToArray();
}
