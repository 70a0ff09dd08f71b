using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// Argument checks of the mixture exports, each naming the argument at fault, run before anything is
/// built: the graphs themselves would fail later and less clearly (ONNX Gather wraps negative rows, TopK
/// refuses k above its axis, a NaN silently reorders a list).
/// </summary>
internal static class MixtureExportChecks
{
    /// <summary>Checks the arguments of the encoder export.</summary>
    public static void Encoder(EmbeddingMatrix users, MixtureTable mixtures, int candidates, double alpha)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(mixtures);
        if (users.Rows < 1) throw new ArgumentException("The user embedding table is empty: there is nothing to export.", nameof(users));
        if (mixtures.UserCount != users.Rows)
            throw new ArgumentException($"The mixture table has {mixtures.UserCount} users but the user embeddings {users.Rows}; both are indexed by the same user rows.", nameof(mixtures));
        if (mixtures.Dimension != users.Dimension)
            throw new ArgumentException($"Mixture embeddings have dimension {mixtures.Dimension} but user embeddings {users.Dimension}.", nameof(mixtures));
        if (candidates < 1) throw new ArgumentOutOfRangeException(nameof(candidates), candidates, "Candidates (M) must be at least 1.");
        if (!double.IsFinite(alpha) || alpha < 0) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "Alpha must be finite and non-negative.");
        double bytes = (double)users.Rows * users.Dimension * sizeof(float)
            + (double)users.Rows * mixtures.MaxComponents * (3 * sizeof(long) + (double)mixtures.Dimension * sizeof(float));
        CheckSize("encoder", bytes);
        users.ThrowIfNotFinite("user embeddings");
        CheckMixtureValues(mixtures);
    }

    /// <summary>Checks the arguments of the quota scorer export.</summary>
    public static void QuotaScorer(EmbeddingMatrix items, ItemClustering clustering, MixtureTable mixtures, int candidates)
    {
        ArgumentNullException.ThrowIfNull(clustering);
        QuotaScorer(items, clustering.ItemCount, clustering.ClusterCount, ClusterGroupedItems.LargestCluster(clustering), "clustering", "cluster", mixtures, candidates);
    }

    /// <summary>Checks the arguments of the conditional quota scorer export (groups = conditions).</summary>
    public static void QuotaScorer(EmbeddingMatrix items, ItemConditions conditions, MixtureTable mixtures, int candidates)
    {
        ArgumentNullException.ThrowIfNull(conditions);
        QuotaScorer(items, conditions.ItemCount, conditions.Count, ClusterGroupedItems.LargestCondition(conditions), "conditions", "condition", mixtures, candidates);
    }

    private static void QuotaScorer(EmbeddingMatrix items, int groupedItems, int groups, int largest, string groupsName, string group, MixtureTable mixtures, int candidates)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(mixtures);
        if (items.Rows < 1) throw new ArgumentException("The item embedding table is empty: there is nothing to export.", nameof(items));
        if (groupedItems != items.Rows)
            throw new ArgumentException($"The {groupsName} cover {groupedItems} items but there are {items.Rows} item embeddings.", groupsName);
        if (mixtures.Dimension != items.Dimension)
            throw new ArgumentException($"Mixture embeddings have dimension {mixtures.Dimension} but item embeddings {items.Dimension}.", nameof(mixtures));
        Candidates(candidates, items.Rows);
        double slots = (double)groups * largest;
        double bytes = slots * (sizeof(long) + sizeof(float)) + (double)items.Rows * items.Dimension * sizeof(float);
        CheckSize("quota scorer", bytes);
        items.ThrowIfNotFinite("item embeddings");
        for (int u = 0; u < mixtures.UserCount; u++)
        {
            foreach (int c in mixtures.Clusters(u))
            {
                if ((uint)c >= (uint)groups)
                    throw new ArgumentException($"User row {u} has a component in {group} {c}, outside the {groupsName}{(groupsName.EndsWith('s') ? "'" : "'s")} 0..{groups - 1}.",
                        nameof(mixtures));
            }
        }
    }

    /// <summary>Checks the arguments common to both graphs when they are exported together.</summary>
    public static void Together(EmbeddingMatrix users, EmbeddingMatrix items)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(items);
        if (users.Dimension != items.Dimension)
            throw new ArgumentException($"User embeddings have dimension {users.Dimension} but item embeddings {items.Dimension}.", nameof(users));
        double unimodal = ((double)users.Values.Length + items.Values.Length) * sizeof(float);
        CheckSize("unimodal scorer", unimodal);
    }

    private static void CheckMixtureValues(MixtureTable mixtures)
    {
        for (int u = 0; u < mixtures.UserCount; u++)
        {
            foreach (double weight in mixtures.Weights(u))
            {
                if (!(weight > 0) || !double.IsFinite(weight))
                    throw new ArgumentException($"User row {u} has a component weight of {weight}; weights must be positive and finite.", nameof(mixtures));
            }
            var embeddings = mixtures.Embeddings(u);
            for (int i = 0; i < embeddings.Length; i++)
            {
                if (!float.IsFinite(embeddings[i]))
                    throw new ArgumentException($"User row {u} has a non-finite value ({embeddings[i]}) in component {i / mixtures.Dimension}, column {i % mixtures.Dimension}.", nameof(mixtures));
            }
        }
    }

    /// <summary>M must lie within 1..items: ONNX TopK cannot return more than it scores.</summary>
    /// <exception cref="ArgumentOutOfRangeException">It does not; the message says what to do instead.</exception>
    public static void Candidates(int candidates, int items)
    {
        if (candidates < 1 || candidates > items)
            throw new ArgumentOutOfRangeException(nameof(candidates), candidates, $"Candidates (M) is {candidates}, but must be between 1 and the number of items "
                + $"({items}): ONNX TopK cannot return more than it scores. Fit the stage with M at most {items} (fit --candidates), or serve it "
                + "from the zip or the engine, whose lists hold at most the items a user has not seen.");
    }

    /// <summary>
    /// Refuses, before any table is built, a model over the 2 GB limit of one protobuf message that is written to a stream: only
    /// an export to a path (<see cref="ExternalDataPolicy.WritesToPath"/>) has a folder for the side file of ONNX external data.
    /// </summary>
    internal static void CheckSize(string model, double bytes)
    {
        if (bytes > ExternalDataPolicy.InlineLimit && !ExternalDataPolicy.WritesToPath)
            throw new NotSupportedException($"The {model} tables take {bytes:F0} bytes, over the 2 GB limit of a single protobuf ONNX model, and a stream cannot carry "
                + "ONNX external data (a side file beside the model): export to a serving directory (OnnxServingDirectory, MultiInterestModel.ExportOnnx) "
                + "or a file path instead, where the large tables go to external data.");
    }
}
