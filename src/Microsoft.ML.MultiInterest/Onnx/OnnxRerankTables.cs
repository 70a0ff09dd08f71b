using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx.Proto;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// What <see cref="OnnxCandidateScorer"/> re-ranks ONNX Runtime's candidates with, read back from the serving directory's
/// own graphs (no second copy on disk): the user and item tables (the unimodal scorer's initializers), the item clusters
/// (the quota scorer's grouped member rows), the engine's retrievers over them for the scans the candidates cannot
/// settle, and the largest item norms that bound the two computations' rounding. Read-only once built; thread-safe.
/// </summary>
internal sealed class OnnxRerankTables
{
    private readonly Lazy<ClusterQuotaRetriever> _clusters;
    private readonly Lazy<UnimodalRetriever> _catalogue;

    private OnnxRerankTables(EmbeddingMatrix users, EmbeddingMatrix items, ItemClustering clustering, int[] absentItems)
    {
        Users = users;
        Items = items;
        Clustering = clustering;
        AbsentItems = absentItems;
        // Both retrievers copy the item table (grouped by cluster, packed for the search kernel); only a scan needs them.
        // Rows without an item are excluded by AbsentItems (the graphs' mask), not by value: a fitted item's zero vector is listed.
        _clusters = new Lazy<ClusterQuotaRetriever>(() => new ClusterQuotaRetriever(items, clustering, skipZeroRows: false));
        _catalogue = new Lazy<UnimodalRetriever>(() => new UnimodalRetriever(items, skipZeroRows: false));
        ClusterNormBound = new double[clustering.ClusterCount];
        for (int c = 0; c < clustering.ClusterCount; c++)
        {
            foreach (int item in clustering.MembersOf(c)) ClusterNormBound[c] = Math.Max(ClusterNormBound[c], Norm(items.ReadRow(item)));
            ItemNormBound = Math.Max(ItemNormBound, ClusterNormBound[c]);
        }
    }

    /// <summary>The user table, row = user row.</summary>
    public EmbeddingMatrix Users { get; }

    /// <summary>The item table, row = item row.</summary>
    public EmbeddingMatrix Items { get; }

    /// <summary>
    /// The item rows that hold no item (<see cref="ItemAbsence"/>), ascending: the graphs never list them, so a scan must
    /// not either. Empty for a directory whose every row is an item (and for one exported before the mask).
    /// </summary>
    public int[] AbsentItems { get; }

    /// <summary>
    /// The exclusions of a catalogue scan for <paramref name="user"/>: <paramref name="exclusions"/> and its row as given when
    /// every row is an item, else a graph of that user alone (row 0) that also excludes <see cref="AbsentItems"/>.
    /// </summary>
    public (BipartiteGraph? Exclusions, int Row) ScanExclusions(BipartiteGraph? exclusions, int user)
    {
        if (AbsentItems.Length == 0) return (exclusions, user);
        int[] items = [.. (exclusions == null ? [] : exclusions.ItemsOf(user).ToArray()).Concat(AbsentItems).Distinct().Order()];
        return (BipartiteGraph.FromEdges(1, Items.Rows, new int[items.Length], items), 0);
    }

    /// <summary>
    /// As <see cref="ScanExclusions(BipartiteGraph?, int)"/> for several users at once: a graph whose row k holds the items
    /// <paramref name="users"/>[k] may not get (its exclusions and the rows without an item); null when there are none.
    /// </summary>
    public BipartiteGraph? ScanExclusions(BipartiteGraph? exclusions, IReadOnlyList<int> users)
    {
        if (exclusions == null && AbsentItems.Length == 0) return null;
        var owners = new List<int>();
        var items = new List<int>();
        for (int k = 0; k < users.Count; k++)
        {
            var own = exclusions == null ? [] : exclusions.ItemsOf(users[k]).ToArray();
            foreach (int item in own.Concat(AbsentItems).Distinct().Order())
            {
                owners.Add(k);
                items.Add(item);
            }
        }
        return BipartiteGraph.FromEdges(users.Count, Items.Rows, owners.ToArray(), items.ToArray());
    }

    /// <summary>The item clusters the mixtures refer to (members in ascending item order, as the engine's).</summary>
    public ItemClustering Clustering { get; }

    /// <summary>The engine's cluster search, for a component whose candidates do not prove its ranking (built on first use).</summary>
    public ClusterQuotaRetriever Clusters => _clusters.Value;

    /// <summary>The engine's catalogue search, for a unimodal list whose candidates do not prove it (built on first use).</summary>
    public UnimodalRetriever Catalogue => _catalogue.Value;

    /// <summary>Per cluster, the largest Euclidean norm of its members (0 for an empty cluster).</summary>
    public double[] ClusterNormBound { get; }

    /// <summary>The largest Euclidean norm of any item.</summary>
    public double ItemNormBound { get; }

    /// <summary>Reads the tables of the directory <paramref name="directory"/> described by <paramref name="manifest"/>.</summary>
    /// <exception cref="InvalidDataException">A graph lacks a table or its shape disagrees with the manifest.</exception>
    public static OnnxRerankTables Read(string directory, OnnxServingManifest manifest)
    {
        var f = TensorProto.Types.DataType.Float;
        var i64 = TensorProto.Types.DataType.Int64;
        string unimodalPath = Path.Combine(directory, manifest.UnimodalScorer.File), quotaPath = Path.Combine(directory, manifest.QuotaScorer.File);
        var tables = OnnxInitializerFile.Read(unimodalPath, [ItemAbsence.InitializerName],
            (UnimodalOnnxExporter.UserTableName, f), (UnimodalOnnxExporter.ItemTableName, f), (ItemAbsence.InitializerName, f));
        var users = Matrix(tables[UnimodalOnnxExporter.UserTableName], unimodalPath, manifest.Users, manifest.Dimension);
        var items = Matrix(tables[UnimodalOnnxExporter.ItemTableName], unimodalPath, manifest.Items, manifest.Dimension);
        int[] absent = tables.TryGetValue(ItemAbsence.InitializerName, out var mask) ? ItemAbsence.AbsentRows(mask, unimodalPath, manifest.Items) : [];

        // A unimodal-only directory has no groups: one cluster of every item (only the norm bound reads it).
        if (manifest.Retrieval == OnnxServingManifest.UnimodalRetrieval)
            return new OnnxRerankTables(users, items, ItemClustering.Create(new int[manifest.Items], 1, items), absent);
        // With the tables the quota scorer's session is given next: its side file is read, and hashed, once for both.
        OnnxVerifiedOpening.ReadAhead(quotaPath);
        var members = OnnxInitializerFile.Read(quotaPath, (QuotaScorerGraph.ClusterItemRowsName, i64), (QuotaScorerGraph.ClusterPaddingName, f));
        var (shape, rowValues) = members[QuotaScorerGraph.ClusterItemRowsName];
        var (paddingShape, paddingValues) = members[QuotaScorerGraph.ClusterPaddingName];
        if (shape.Length != 2 || shape[0] != manifest.Clusters || !shape.SequenceEqual(paddingShape))
            throw new InvalidDataException($"'{quotaPath}' holds member tables of shape [{string.Join(", ", shape)}], not [{manifest.Clusters}, S].");
        var rows = (long[])rowValues;
        var padding = (float[])paddingValues;
        var assignments = new int[manifest.Items];
        assignments.AsSpan().Fill(-1);
        for (int slot = 0; slot < rows.Length; slot++)
        {
            if (padding[slot] != 0f) continue;
            long item = rows[slot];
            if ((ulong)item >= (ulong)assignments.Length || assignments[item] >= 0)
                throw new InvalidDataException($"'{quotaPath}' lists item row {item} outside 0..{assignments.Length - 1} or in two clusters.");
            assignments[item] = slot / shape[1];
        }
        int missing = Array.IndexOf(assignments, -1);
        if (missing < 0) return new OnnxRerankTables(users, items, ItemClustering.Create(assignments, manifest.Clusters, items), absent);
        if (!manifest.IsConditional) throw new InvalidDataException($"'{quotaPath}' puts item row {missing} in no cluster.");
        // A conditional directory's items without a condition are in no group; here they form one more, which no user's component reads.
        for (int i = missing; i < assignments.Length; i++)
            if (assignments[i] < 0) assignments[i] = manifest.Clusters;
        return new OnnxRerankTables(users, items, ItemClustering.Create(assignments, manifest.Clusters + 1, items), absent);
    }

    private static EmbeddingMatrix Matrix((int[] Shape, Array Values) tensor, string path, int rows, int dimension)
    {
        if (tensor.Shape.Length != 2 || tensor.Shape[0] != rows || tensor.Shape[1] != dimension)
            throw new InvalidDataException($"A table of '{path}' has shape [{string.Join(", ", tensor.Shape)}], not [{rows}, {dimension}] as the manifest says.");
        return new EmbeddingMatrix(rows, dimension, (float[])tensor.Values);
    }

    /// <summary>The largest Euclidean norm of a row of <paramref name="items"/>, summed in double: the rounding bound's |v|.</summary>
    public static double LargestNorm(EmbeddingMatrix items)
    {
        double largest = 0;
        for (int i = 0; i < items.Rows; i++) largest = Math.Max(largest, Norm(items.ReadRow(i)));
        return largest;
    }

    private static double Norm(ReadOnlySpan<float> row) => Math.Sqrt(VectorMath.SquaredNormWidened(row));
}
