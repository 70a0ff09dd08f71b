namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Settings of <see cref="EmbeddingAlgorithm.DivideConquer"/>, Kuaishou's divide-and-conquer retrieval (Zhang et al.;
/// methods.md section 2). Items are split into clusters (given, or a spherical k-means of a first-pass embedding); a
/// training edge (u, i) with i in cluster C_k scores i and N negatives against the user's query for cluster k,
/// <c>e_u^k = f([s_1 ⊙ t_k, ..., s_n ⊙ t_k])</c> (Eq. 5: the user's other items' input vectors s, each multiplied by the
/// cluster's learned prompt t_k; without prompts t_k = 1), by the sigmoid loss of Eq. 2/3 with the negatives drawn inside
/// C_k (Eq. 3) and a <see cref="GlobalNegativeShare"/> of them from the whole catalogue. Served by cluster quotas: cluster k
/// gets <c>M p_uk^α / Σ p^α</c> slots (<see cref="ClusterQuotaRetriever"/>), filled by its top items by <c>⟨e_u^k, e_i⟩</c>.
/// The shared settings (dimension, epochs, learning rate, negatives per positive = UniformNegatives, optimiser, seed,
/// threads) are those of <see cref="GraphEmbeddingOptions"/>.
/// </summary>
public sealed class DivideConquerOptions
{
    /// <summary>The user encoder f. Default <see cref="DivideConquerDefaults.Encoder"/>.</summary>
    public DivideConquerEncoder Encoder { get; set; } = DivideConquerDefaults.Encoder;

    /// <summary>Whether each cluster learns its prompt t_k (Eq. 5); false trains one shared query per user. Default <see cref="DivideConquerDefaults.Prompts"/>.</summary>
    public bool Prompts { get; set; } = DivideConquerDefaults.Prompts;

    /// <summary>Share in [0, 1] of each positive's negatives drawn from the whole catalogue (the rest from its cluster); 1 is the plain Eq. 2 loss. Default <see cref="DivideConquerDefaults.GlobalNegativeShare"/>.</summary>
    public double GlobalNegativeShare { get; set; } = DivideConquerDefaults.GlobalNegativeShare;

    /// <summary>K ≥ 1: clusters of the first-pass clustering when <see cref="ItemClusters"/> is not given. Default <see cref="DivideConquerDefaults.Clusters"/>.</summary>
    public int Clusters { get; set; } = DivideConquerDefaults.Clusters;

    /// <summary>
    /// The cluster of every item (0..K−1), e.g. a <see cref="SphericalKMeans"/> of embeddings trained before; null (default)
    /// clusters the items itself: an implicit-ALS embedding of the graph at <see cref="GraphEmbeddingOptions.Dimension"/>,
    /// then <see cref="Clusters"/> spherical k-means clusters.
    /// </summary>
    public int[]? ItemClusters { get; set; }

    /// <summary>
    /// K of <see cref="ItemClusters"/> when they were mapped onto the subgraph of the items with edges (K of the full array,
    /// so dropping edgeless items never drops a cluster and the model keeps its shape); null: K = max id + 1.
    /// </summary>
    internal int? GivenClusterCount { get; set; }

    /// <summary>L ≥ 1, history items per training example (a random subset when the user has more). Default <see cref="DivideConquerDefaults.MaxHistory"/>.</summary>
    public int MaxHistory { get; set; } = DivideConquerDefaults.MaxHistory;

    /// <summary>
    /// Optional time order: <c>Sequences[u]</c> holds every training item of user row u exactly once, oldest first. Then a
    /// training edge's history is the up to <see cref="MaxHistory"/> items just before it (never a later one, as a
    /// next-item protocol serves; a user's first item trains nothing), and the model is served from each user's last
    /// <see cref="MaxHistory"/> items: the result's user vectors are, and <see cref="DivideConquerModel.BuildMixtures"/>
    /// should be given a graph of those (<see cref="BipartiteGraph.FromEdges(int, int, ReadOnlySpan{int}, ReadOnlySpan{int}, ReadOnlySpan{float})"/> of each user's last L items). Ignored by <see cref="DivideConquerEncoder.UserVector"/>.
    /// Null (default): the history is a random L of the user's other items, in no order.
    /// </summary>
    public IReadOnlyList<int[]>? Sequences { get; set; }

    /// <summary>s ≥ 0, pseudo-count of the user-intent distribution p_uk (0 = the plain share of the history). Default <see cref="DivideConquerDefaults.IntentSmoothing"/>.</summary>
    public double IntentSmoothing { get; set; } = DivideConquerDefaults.IntentSmoothing;

    /// <summary>m ≥ 1, clusters per user that get a query when served (the most likely ones). Default <see cref="DivideConquerDefaults.Components"/>.</summary>
    public int Components { get; set; } = DivideConquerDefaults.Components;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Encoder)) throw Bad(nameof(Encoder), Encoder, "is not a known encoder");
        if (!(GlobalNegativeShare >= 0 && GlobalNegativeShare <= 1)) throw Bad(nameof(GlobalNegativeShare), GlobalNegativeShare, "must lie in [0, 1]");
        if (Clusters < 1 || Clusters > 1_000_000) throw Bad(nameof(Clusters), Clusters, "must be within 1..1000000");
        if (MaxHistory < 1 || MaxHistory > 100_000) throw Bad(nameof(MaxHistory), MaxHistory, "must be within 1..100000");
        if (!double.IsFinite(IntentSmoothing) || IntentSmoothing < 0) throw Bad(nameof(IntentSmoothing), IntentSmoothing, "must be finite and non-negative");
        if (Components < 1 || Components > 100_000) throw Bad(nameof(Components), Components, "must be within 1..100000");
        if (Encoder == DivideConquerEncoder.SelfAttention && Sequences == null)
            throw new ArgumentException($"DivideConquer.Encoder {Encoder} reads each history in time order: give DivideConquer.Sequences.", nameof(Sequences));
        if (ItemClusters != null)
            foreach (int c in ItemClusters)
                if (c < 0 || c >= 1_000_000)
                    throw Bad(nameof(ItemClusters), c, "holds a cluster id outside 0..999999 (the model keeps a prompt per id up to the largest, as for Clusters)");
    }

    /// <summary>A copy (the <see cref="ItemClusters"/> array and the <see cref="Sequences"/> are shared, not copied).</summary>
    /// <returns>A new shallow copy.</returns>
    public DivideConquerOptions Clone() => (DivideConquerOptions)MemberwiseClone();

    private static ArgumentOutOfRangeException Bad(string name, object value, string rule) => new(name, value, $"DivideConquer.{name} {rule}.");
}
