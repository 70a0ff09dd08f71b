using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Reads a learned multi-vector model back from the component columns of the fit data (first row of each user and item, which later rows must repeat, as
/// <see cref="EdgeRows"/> reads vectors): every user with edges gets its C_s components, in the layout
/// <see cref="MixtureEmbeddingResult.ToMixtureTable"/> gives them (descending weight, component indices as clusters), so the
/// lists equal the engine's on the same model; every item with a row its C_d components. C_s comes from the weights column,
/// d from the item embeddings, C_d from the item components column; each column is checked against them by name.
/// </summary>
internal static class LearnedComponentsReader
{
    /// <summary>What the message of a missing component column adds: where such columns come from.</summary>
    public const string Origin = "round-robin retrieval serves the components a GraphEmbedding stage appends when fitted with Algorithm = MixtureEmbedding or DifferentiableClustering";

    public static (MixtureTable Users, LearnedComponents Items) Read(IDataView data, RoundRobinRetrieverEstimator.Options o, CompactItems items)
    {
        var schema = data.Schema;
        int d = items.Embeddings.Dimension;
        var userColumn = ColumnChecks.Key(schema, o.UserColumnName, nameof(o.UserColumnName), out int userCount);
        var itemColumn = ColumnChecks.Key(schema, o.ItemColumnName, nameof(o.ItemColumnName), out int itemCount);
        var weightColumn = ColumnChecks.DoubleVector(schema, Present(schema, o.UserComponentWeightsColumnName, nameof(o.UserComponentWeightsColumnName)),
            nameof(o.UserComponentWeightsColumnName), out int cs);
        var componentColumn = ColumnChecks.FloatVector(schema, Present(schema, o.UserComponentsColumnName, nameof(o.UserComponentsColumnName)),
            nameof(o.UserComponentsColumnName), out int userSize);
        var itemComponentColumn = ColumnChecks.FloatVector(schema, Present(schema, o.ItemComponentsColumnName, nameof(o.ItemComponentsColumnName)),
            nameof(o.ItemComponentsColumnName), out int itemSize);
        if (cs < 1)
            throw new ArgumentException($"Input column '{o.UserComponentWeightsColumnName}' (option {nameof(o.UserComponentWeightsColumnName)}) has vectors of length 0: at least one component per user is needed.");
        if (userSize != (long)cs * d)
            throw new ArgumentException($"Input column '{o.UserComponentsColumnName}' (option {nameof(o.UserComponentsColumnName)}) has vectors of length {userSize}, but C_s x d = {cs} x {d} = {cs * d} "
                + $"are expected (C_s from column '{o.UserComponentWeightsColumnName}' (option {nameof(o.UserComponentWeightsColumnName)}), d from column '{o.ItemEmbeddingColumnName}' (option {nameof(o.ItemEmbeddingColumnName)})).");
        if (itemSize < d || itemSize % d != 0)
            throw new ArgumentException($"Input column '{o.ItemComponentsColumnName}' (option {nameof(o.ItemComponentsColumnName)}) has vectors of length {itemSize}, which is not a whole number "
                + $"C_d >= 1 of components of dimension d = {d} (from column '{o.ItemEmbeddingColumnName}' (option {nameof(o.ItemEmbeddingColumnName)})).");
        int cd = itemSize / d;
        var dcm = DcmAnnotations.Read(componentColumn, nameof(o.UserComponentsColumnName));
        // A kNN-Embed mixture's user with fewer than m components is padded with weight 0 in the columns: the padding takes no part.
        bool fromMixtureStage = ComponentSourceAnnotation.Read(componentColumn) == ComponentSourceAnnotation.KnnSmoothedMixture;

        var users = MixtureTable.ForUsers(userCount, items.ActiveUsers, cs, d);
        var itemComponents = new EmbeddingMatrix(checked(items.RowOf.Length * cd), d);
        // Each user's first row's fingerprint, to compare its later rows with (the table keeps the components sorted, not as read).
        var userRows = new Dictionary<int, int>();
        var itemSeen = new bool[items.RowOf.Length];
        using var cursor = data.GetRowCursor([userColumn, itemColumn, weightColumn, componentColumn, itemComponentColumn]);
        var getUser = cursor.GetGetter<uint>(userColumn);
        var getItem = cursor.GetGetter<uint>(itemColumn);
        var getWeights = cursor.GetGetter<VBuffer<double>>(weightColumn);
        var getComponents = cursor.GetGetter<VBuffer<float>>(componentColumn);
        var getItemComponents = cursor.GetGetter<VBuffer<float>>(itemComponentColumn);
        uint user = 0, item = 0;
        VBuffer<double> w = default;
        VBuffer<float> c = default;
        var weights = new double[cs];
        var components = new float[cs * d];
        var itemScratch = new float[cd * d];
        // Columns a stage looked up by these very key columns hold one value per key: their later rows need no reading.
        bool checkUserRows = !(PerKeyAnnotation.Holds(weightColumn, userColumn) && PerKeyAnnotation.Holds(componentColumn, userColumn));
        bool checkItemRows = !PerKeyAnnotation.Holds(itemComponentColumn, itemColumn);
        while (cursor.MoveNext())
        {
            getUser(ref user);
            getItem(ref item);
            // The rows EdgeRows skips (a missing key) carry no edge, so no user or item of the fit.
            if (user == 0 || item == 0) continue;
            int u = (int)user - 1;
            bool firstOfUser = !userRows.ContainsKey(u);
            if (firstOfUser || checkUserRows)
            {
                getWeights(ref w);
                getComponents(ref c);
                VectorRows.Copy(in w, weights, (o.UserComponentWeightsColumnName, nameof(o.UserComponentWeightsColumnName)), "user", (userColumn, userCount, u));
                VectorRows.Copy(in c, components, (o.UserComponentsColumnName, nameof(o.UserComponentsColumnName)), "user", (userColumn, userCount, u));
                int fingerprint = EntityRows.Fingerprint<double, float>(weights, components);
                if (!firstOfUser)
                {
                    if (userRows[u] != fingerprint)
                            throw EntityRows.Differ((o.UserComponentsColumnName, nameof(o.UserComponentsColumnName)), "user", (userColumn, userCount, u),
                            $"its first row's components, or their weights in '{o.UserComponentWeightsColumnName}' (option {nameof(o.UserComponentWeightsColumnName)}), differ from a later row's",
                            "set of components");
                }
                else
                {
                    userRows[u] = fingerprint;
                    CheckUser(o, user, weights, components, d);
                    MixtureEmbeddingResult.WriteSorted(users, u, components, weights);
                    if (fromMixtureStage) users.SetCount(u, weights.Count(x => x > 0));
                }
            }
            int j = Array.BinarySearch(items.RowOf, (int)item - 1);
            var row = itemComponents.Values.AsSpan(j * cd * d, cd * d);
            if (!itemSeen[j])
            {
                itemSeen[j] = true;
                getItemComponents(ref c);
                VectorRows.Copy(in c, row, (o.ItemComponentsColumnName, nameof(o.ItemComponentsColumnName)), "item", (itemColumn, itemCount, (int)item - 1));
                foreach (float v in row)
                    if (!float.IsFinite(v))
                        throw new ArgumentException($"Input column '{o.ItemComponentsColumnName}' (option {nameof(o.ItemComponentsColumnName)}) holds a non-finite value ({v}) for item key {item}.");
                RequireScorable(row, d, o.ItemComponentsColumnName, nameof(o.ItemComponentsColumnName), $"item key {item}");
            }
            else if (checkItemRows)
            {
                getItemComponents(ref c);
                VectorRows.Copy(in c, itemScratch, (o.ItemComponentsColumnName, nameof(o.ItemComponentsColumnName)), "item", (itemColumn, itemCount, (int)item - 1));
                EntityRows.RequireSame<float>(row, itemScratch, (o.ItemComponentsColumnName, nameof(o.ItemComponentsColumnName)), "item", (itemColumn, itemCount, (int)item - 1), "set of components");
            }
        }
        return (users, new LearnedComponents(itemComponents, cd, dcm, fromMixtureStage));
    }

    /// <summary>The name of a component column the schema has; a missing one is an error that says where such columns come from.</summary>
    public static string Present(DataViewSchema schema, string name, string option) =>
        schema.GetColumnOrNull(name) != null ? name
            : throw new ArgumentException($"Input column '{name}' (option {option}) was not found in the data: {Origin}.", nameof(schema));

    private static void CheckUser(RoundRobinRetrieverEstimator.Options o, uint user, double[] weights, float[] components, int d)
    {
        double total = 0;
        foreach (double x in weights)
        {
            if (!double.IsFinite(x) || x < 0)
                throw new ArgumentException($"Input column '{o.UserComponentWeightsColumnName}' (option {nameof(o.UserComponentWeightsColumnName)}) holds the weight {x} for user key {user}: weights must be finite and non-negative.");
            total += x;
        }
        if (total == 0)
            throw new ArgumentException($"User key {user} has training edges but no components: its weights in column '{o.UserComponentWeightsColumnName}' "
                + $"(option {nameof(o.UserComponentWeightsColumnName)}) are all 0. Fit the retriever on the data its GraphEmbedding stage was fitted on; "
                + "if that stage reads a RelationColumnName, this user's rows may all have had a missing relation key, which it skipped (and warned of).");
        foreach (float v in components)
            if (!float.IsFinite(v))
                throw new ArgumentException($"Input column '{o.UserComponentsColumnName}' (option {nameof(o.UserComponentsColumnName)}) holds a non-finite value ({v}) for user key {user}.");
        RequireScorable(components, d, o.UserComponentsColumnName, nameof(o.UserComponentsColumnName), $"user key {user}");
    }

    /// <summary>Refuses a component (each <paramref name="d"/> values of <paramref name="components"/>) too long to take (<see cref="ScorableLength"/>).</summary>
    private static void RequireScorable(ReadOnlySpan<float> components, int d, string column, string option, string owner)
    {
        int c = ScorableLength.FirstTooLong(components, d, out double squares);
        if (c >= 0)
            throw new ArgumentException($"Input column '{column}' (option {option}) holds {ScorableLength.Describe(squares)}, as component {c + 1} of {owner}.");
    }
}
