using System.Numerics.Tensors;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// What a retrieval stage keeps of a divide-and-conquer model to read a new user's history by its encoder
/// (<see cref="HistoryVector.Encoder"/>): the history (input) vector s_i and cluster of each of its items, the prompts t_k,
/// the attention query, the cluster prior π and the intent settings. The rows are items of the stage (compact items) or, as
/// annotated on a GraphEmbedding's item column, the item rows (key - 1) listed in <see cref="Rows"/>. The query itself is
/// <see cref="DivideConquerModel.UserQueries"/>'s, on the model these tables make (<see cref="ToModel"/>): one encoder code.
/// </summary>
internal sealed record HistoryEncoderTables(DivideConquerEncoder Encoder, int[] Rows, EmbeddingMatrix HistoryItems, int[] Clusters,
    EmbeddingMatrix? Prompts, EmbeddingMatrix? AttentionQuery, double[] Prior, double IntentSmoothing, int Components)
{
    /// <summary>Whether <paramref name="encoder"/> reads a history a stage can serve: pooling over the items, in no order.</summary>
    public static bool Serves(DivideConquerEncoder encoder) => encoder is DivideConquerEncoder.MeanPooling or DivideConquerEncoder.AttentionPooling;

    /// <summary>K, the clusters.</summary>
    public int ClusterCount => Prior.Length;

    /// <summary>The item rows and their clusters, without the vectors.</summary>
    public DivideConquerItemClusters ItemClusters => new(Rows, Clusters, ClusterCount);

    /// <summary>
    /// The tables for the item rows <paramref name="rows"/> (ascending; entry j becomes row j, <see cref="Rows"/> its index):
    /// an item row without an entry here (no edge when the model was fitted) gets a zero input vector in cluster 0, as the
    /// model's own tables give it.
    /// </summary>
    public HistoryEncoderTables Select(IReadOnlyList<int> rows)
    {
        // A stage over every item the tables hold (the usual case) shares their vectors rather than copy n × d again.
        if (rows.Count == Rows.Length && rows.SequenceEqual(Rows)) return this with { Rows = Enumerable.Range(0, rows.Count).ToArray() };
        int d = HistoryItems.Dimension;
        var inputs = new EmbeddingMatrix(rows.Count, d);
        var clusters = new int[rows.Count];
        for (int j = 0; j < rows.Count; j++)
        {
            int at = Array.BinarySearch(Rows, rows[j]);
            if (at < 0) continue;
            HistoryItems.ReadRow(at).CopyTo(inputs.Row(j));
            clusters[j] = Clusters[at];
        }
        return this with { Rows = Enumerable.Range(0, rows.Count).ToArray(), HistoryItems = inputs, Clusters = clusters };
    }

    /// <summary>The model over the stage's items <paramref name="items"/> (the output vectors, one row per entry of these tables).</summary>
    public DivideConquerModel ToModel(EmbeddingMatrix items)
    {
        if (items.Rows != HistoryItems.Rows || items.Dimension != HistoryItems.Dimension)
            throw new ArgumentException($"The encoder's tables hold {HistoryItems.Rows} items of dimension {HistoryItems.Dimension}, the stage {items.Rows} of {items.Dimension}.", nameof(items));
        var clustering = ItemClustering.Create(Clusters, ClusterCount, items);
        return new DivideConquerModel(Encoder, items, HistoryItems, null, Prompts, AttentionQuery, null, null, clustering, Prior, IntentSmoothing, Components);
    }

    /// <summary>
    /// Whether some history's query could leave the range in which a float scores finitely (a damaged zip's huge, finite
    /// value; the serving retriever would refuse it at the request). Every query is a convex combination of prompted input
    /// vectors, so ||e|| ≤ max|t| · max||s_i|| (the bound user vectors are scored within); attention's logits dot the
    /// prompted attention query with an input vector. A norm that overflows a float is infinite, so refused.
    /// </summary>
    private bool QueryOverflows()
    {
        double inputs = 0;
        for (int i = 0; i < HistoryItems.Rows; i++) inputs = Math.Max(inputs, VectorMath.Norm(HistoryItems.ReadRow(i)));
        double prompt = Prompts == null ? 1 : Math.Abs((double)TensorPrimitives.MaxMagnitude<float>(Prompts.Values));
        double query = AttentionQuery == null ? 0 : VectorMath.Norm(AttentionQuery.ReadRow(0));
        return inputs * prompt > Math.Sqrt(float.MaxValue) || query * prompt * inputs > float.MaxValue / 2;
    }

    /// <summary>Checks the tables agree with one another (a damaged zip or edited annotations would otherwise fail while serving).</summary>
    /// <exception cref="InvalidDataException">A table has the wrong shape or a cluster is out of range.</exception>
    public HistoryEncoderTables Checked(string where)
    {
        int n = Rows.Length, d = HistoryItems.Dimension, k = ClusterCount;
        string? problem = !Serves(Encoder) ? $"its encoder {Encoder} is not one a stage serves (MeanPooling or AttentionPooling)"
            : HistoryItems.Rows != n || Clusters.Length != n ? $"{n} items, {HistoryItems.Rows} input vectors and {Clusters.Length} clusters"
            : k < 1 ? "no cluster prior"
            : Clusters.Any(c => (uint)c >= (uint)k) ? $"a cluster outside 0..{k - 1}"
            : Prompts != null && (Prompts.Rows != k || Prompts.Dimension != d) ? $"prompts of {Prompts.Rows} x {Prompts.Dimension} for {k} clusters of dimension {d}"
            : Encoder == DivideConquerEncoder.AttentionPooling && (AttentionQuery is not { Rows: 1 } q || q.Dimension != d) ? "an attention encoder without its query of dimension " + d
            : !double.IsFinite(IntentSmoothing) || IntentSmoothing < 0 || Components < 1 ? $"intent smoothing {IntentSmoothing} and {Components} components"
            // An edited number would otherwise rank a new user's clusters and items by NaN, silently.
            : Prior.Any(p => !double.IsFinite(p) || p < 0) ? "a cluster prior that is not finite and non-negative"
            : !TensorPrimitives.IsFiniteAll<float>(HistoryItems.Values) ? "input vectors holding a value that is not finite"
            : Prompts != null && !TensorPrimitives.IsFiniteAll<float>(Prompts.Values) ? "prompts holding a value that is not finite"
            : AttentionQuery != null && !TensorPrimitives.IsFiniteAll<float>(AttentionQuery.Values) ? "an attention query holding a value that is not finite"
            : QueryOverflows() ? "values so large that a history's query would not score finitely"
            : null;
        return problem == null ? this : throw new InvalidDataException($"{where}: the divide-and-conquer encoder's tables are inconsistent ({problem}).");
    }
}
