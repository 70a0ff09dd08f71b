using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The edges of a training view read into engine form: row index = key - 1 for users and items, the key
/// cardinalities as table sizes, and per-user / per-item values taken from the first row of each entity (every later row of
/// it must repeat them: <see cref="EntityRows"/>). Vectors are
/// kept for the users and items that occur only, so reading a few ids of a wide key range costs what the ids cost.
/// Rows whose user or item key is 0 (missing) are skipped and counted.
/// </summary>
internal sealed class EdgeRows
{
    private EdgeRows(int userCount, int itemCount)
    {
        UserCount = userCount;
        ItemCount = itemCount;
        UserSeen = new KeyFlags(userCount);
        ItemSeen = new KeyFlags(itemCount);
    }

    public int UserCount { get; }

    public int ItemCount { get; }

    public List<int> Users { get; } = new();

    public List<int> Items { get; } = new();

    public List<float>? Weights { get; private set; }

    /// <summary>The row of the data (skipped rows counted) of the first edge with the largest weight, when a weight column is read.</summary>
    public long HeaviestWeightRow { get; private set; } = -1;

    private int _heaviestEdge;

    /// <summary>Relation id (key − 1) of each edge, when a relation column is read.</summary>
    public List<int>? Relations { get; private set; }

    /// <summary>Relations: the relation key's cardinality (1 without a relation column).</summary>
    public int RelationCount { get; private set; } = 1;

    public KeyFlags UserSeen { get; }

    public KeyFlags ItemSeen { get; }

    /// <summary>The vector of each user with an edge (the first row's), when a user vector column is read.</summary>
    public KeyedEmbeddings? UserVectors { get; private set; }

    /// <summary>The vector of each item with an edge (the first row's), when an item vector column is read.</summary>
    public KeyedEmbeddings? ItemVectors { get; private set; }

    /// <summary>Cluster index (key - 1) of each item with a row, when a cluster column is read (by item row; kept for those items only).</summary>
    private Dictionary<int, int>? _itemClusters;

    /// <summary>Whether a cluster column was read.</summary>
    public bool HasItemClusters => _itemClusters != null;

    /// <summary>Cluster index (key - 1) of item row <paramref name="item"/>; -1 for an item without a row or with a missing cluster key.</summary>
    public int ClusterOf(int item) => _itemClusters!.TryGetValue(item, out int cluster) ? cluster : -1;

    public int ClusterCount { get; private set; }

    /// <summary>The cluster index (key - 1; -1 for a missing key) of every edge, when <see cref="EdgeColumns.ClusterPerEdge"/> asked for it.</summary>
    public List<int>? EdgeClusters { get; private set; }

    public long SkippedRows { get; private set; }

    /// <summary>Of <see cref="SkippedRows"/>, those whose user and item keys were there but whose relation key was missing.</summary>
    public long SkippedForRelation { get; private set; }

    public BipartiteGraph Graph() =>
        BipartiteGraph.FromEdges(UserCount, ItemCount, Users.ToArray(), Items.ToArray(), Weights == null ? default : Weights.ToArray(),
            Relations == null ? default : Relations.ToArray(), RelationCount);

    /// <summary>Reads <paramref name="data"/>; every named column is type-checked first.</summary>
    public static EdgeRows Read(IDataView data, EdgeColumns columns)
    {
        ArgumentNullException.ThrowIfNull(data);
        var schema = data.Schema;
        var userColumn = ColumnChecks.Key(schema, columns.User.Name, columns.User.Option, out int userCount);
        var itemColumn = ColumnChecks.Key(schema, columns.Item.Name, columns.Item.Option, out int itemCount);
        var rows = new EdgeRows(userCount, itemCount);
        var active = new List<DataViewSchema.Column> { userColumn, itemColumn };
        DataViewSchema.Column? weightColumn = null, userVectorColumn = null, itemVectorColumn = null, clusterColumn = null, relationColumn = null;
        if (columns.Weight is { } w)
        {
            weightColumn = ColumnChecks.Weight(schema, w.Name, w.Option);
            rows.Weights = new List<float>();
        }
        int userDimension = 0, itemDimension = 0;
        if (columns.UserVector is { } uv)
        {
            userVectorColumn = ColumnChecks.FloatVector(schema, uv.Name, uv.Option, out userDimension);
        }
        if (columns.ItemVector is { } iv)
        {
            itemVectorColumn = ColumnChecks.FloatVector(schema, iv.Name, iv.Option, out itemDimension);
        }
        if (userVectorColumn != null && itemVectorColumn != null)
            ColumnChecks.SameDimension(columns.UserVector!.Value, userDimension, columns.ItemVector!.Value, itemDimension);
        if (columns.ItemCluster is { } ic)
        {
            clusterColumn = ColumnChecks.Key(schema, ic.Name, ic.Option, out int clusters);
            rows.ClusterCount = clusters;
            rows._itemClusters = new Dictionary<int, int>();
            if (columns.ClusterPerEdge) rows.EdgeClusters = new List<int>();
        }
        if (columns.Relation is { } rc)
        {
            relationColumn = ColumnChecks.Key(schema, rc.Name, rc.Option, out int relations);
            rows.RelationCount = relations;
            rows.Relations = new List<int>();
        }
        foreach (var c in new[] { weightColumn, userVectorColumn, itemVectorColumn, clusterColumn, relationColumn })
            if (c != null) active.Add(c.Value);

        using var cursor = data.GetRowCursor(active);
        var getUser = cursor.GetGetter<uint>(userColumn);
        var getItem = cursor.GetGetter<uint>(itemColumn);
        var getWeight = weightColumn == null ? null : WeightGetter(cursor, weightColumn.Value);
        var userVectors = userVectorColumn == null ? null : new PerKeyVectorColumn(cursor, userVectorColumn.Value, columns.UserVector!.Value, userColumn, userCount, "user");
        var itemVectors = itemVectorColumn == null ? null : new PerKeyVectorColumn(cursor, itemVectorColumn.Value, columns.ItemVector!.Value, itemColumn, itemCount, "item");
        var getCluster = clusterColumn == null ? null : cursor.GetGetter<uint>(clusterColumn.Value);
        var getRelation = relationColumn == null ? null : cursor.GetGetter<uint>(relationColumn.Value);
        uint user = 0, item = 0, cluster = 0, relation = 0;
        double readWeight = 0;
        // A cluster column a stage looked up by this very item column holds one cluster per item: its later rows need no reading.
        bool checkClusterRows = clusterColumn != null && !columns.ClusterPerEdge && !PerKeyAnnotation.Holds(clusterColumn.Value, itemColumn);
        long dataRow = -1;
        while (cursor.MoveNext())
        {
            dataRow++;
            getUser(ref user);
            getItem(ref item);
            getRelation?.Invoke(ref relation);
            // Key 0 is ML.NET's missing value; such rows carry no edge (nor do rows of a missing relation).
            if (user == 0 || item == 0 || (getRelation != null && relation == 0))
            {
                rows.SkippedRows++;
                if (user != 0 && item != 0) rows.SkippedForRelation++;
                continue;
            }
            int u = (int)user - 1, i = (int)item - 1;
            rows.Users.Add(u);
            rows.Items.Add(i);
            rows.Relations?.Add((int)relation - 1);
            if (rows.EdgeClusters != null)
            {
                getCluster!(ref cluster);
                rows.EdgeClusters.Add((int)cluster - 1);
            }
            if (getWeight != null)
            {
                getWeight(ref readWeight);
                // Said here, with the view's row, column and option: the graph would name only the edge's index among the kept rows.
                float weight = EdgeWeight.Checked(readWeight, weightColumn!.Value.Type == NumberDataViewType.Single, columns.Weight!.Value.Name, columns.Weight.Value.Option, dataRow, nameof(data));
                if (rows.HeaviestWeightRow < 0 || weight > rows.Weights![rows._heaviestEdge]) (rows.HeaviestWeightRow, rows._heaviestEdge) = (dataRow, rows.Weights!.Count);
                rows.Weights!.Add(weight);
            }
            // Per-entity values belong to the entity, not the edge: the first row gives them, and every later row must repeat
            // them (a later row that differed, or held a NaN, would otherwise be dropped without a word).
            userVectors?.Read(u, first: !rows.UserSeen[u]);
            itemVectors?.Read(i, first: !rows.ItemSeen[i]);
            if (getCluster != null && !rows.ItemSeen[i])
            {
                if (!columns.ClusterPerEdge) getCluster(ref cluster); // with ClusterPerEdge, read above for every edge
                rows._itemClusters![i] = (int)cluster - 1;
            }
            else if (checkClusterRows)
            {
                getCluster!(ref cluster);
                if (rows._itemClusters![i] != (int)cluster - 1)
                    throw EntityRows.Differ(columns.ItemCluster!.Value, "item", (itemColumn, itemCount, i), $"cluster key {rows._itemClusters[i] + 1} on its first row, {cluster} on a later one", "cluster");
            }
            rows.UserSeen.Set(u);
            rows.ItemSeen.Set(i);
        }
        if (rows.Users.Count == 0) throw NoEdges(columns, rows.SkippedRows);
        rows.UserVectors = userVectors?.Build();
        rows.ItemVectors = itemVectors?.Build();
        return rows;
    }

    /// <summary>
    /// A fit on a view without edges: said as such, rather than as the first consequence downstream (a list length cut to the
    /// zero items there are, or mixtures fitted for nobody).
    /// </summary>
    private static ArgumentException NoEdges(EdgeColumns columns, long skipped) => new(
        $"The data has no edges: no row has both a user key in '{columns.User.Name}' (option {columns.User.Option}) and an item key in '{columns.Item.Name}' (option {columns.Item.Option})"
        + (skipped == 0 ? " (the view has no rows)"
            : $" ({skipped} rows have a missing key, 0: an empty id or NaN, or a value the fitted MapValueToKey did not see{(columns.Relation is { } r ? $", or a missing '{r.Name}' key" : "")})")
        + ". There is nothing to fit on: pass the training edges.", "data");
    /// <summary>
    /// A Double weight column's getter, or a Single one's widened (exactly): the value as the column holds it, which
    /// <see cref="EdgeWeight.Checked"/> converts to the Single the edges are trained with.
    /// </summary>
    private static ValueGetter<double> WeightGetter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        if (column.Type == NumberDataViewType.Double) return cursor.GetGetter<double>(column);
        var getSingle = cursor.GetGetter<float>(column);
        return (ref double value) =>
        {
            float read = 0;
            getSingle(ref read);
            value = read;
        };
    }
}
