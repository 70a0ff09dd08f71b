namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>The defaults of <see cref="DivideConquerOptions"/>, in one place.</summary>
public static class DivideConquerDefaults
{
    /// <summary>f: <see cref="DivideConquerEncoder.MeanPooling"/>, the cheapest history encoder (chosen on ML-100k's validation items, docs/results.md).</summary>
    public const DivideConquerEncoder Encoder = DivideConquerEncoder.MeanPooling;

    /// <summary>Cluster prompts t_k (Eq. 5): on.</summary>
    public const bool Prompts = true;

    /// <summary>Share of global ("easy") negatives: 0, the paper's divide-and-conquer loss (all negatives inside the positive's cluster).</summary>
    public const double GlobalNegativeShare = 0;

    /// <summary>K: 20 item clusters when the trainer clusters a first-pass embedding itself.</summary>
    public const int Clusters = 20;

    /// <summary>L: 50 history items per training example (sampled when a user has more; serving uses the whole history).</summary>
    public const int MaxHistory = 50;

    /// <summary>Pseudo-count of the user-intent model: p_uk = (n_uk + s·π_k) / (n_u + s), π_k the cluster's share of all training edges.</summary>
    public const double IntentSmoothing = 1;

    /// <summary>γ of <see cref="NextClusterIntent"/>: each item weighs 0.8 of the one after it in the recent-cluster histogram.</summary>
    public const double IntentDecay = 0.8;

    /// <summary>Passes of <see cref="NextClusterIntent"/> over the training items.</summary>
    public const int IntentEpochs = 3;

    /// <summary>Adagrad step of <see cref="NextClusterIntent"/>.</summary>
    public const double IntentLearningRate = 0.1;

    /// <summary>m: at most 50 clusters per user get a query (the most likely ones; M ≤ 50 slots never need more).</summary>
    public const int Components = 50;

    /// <summary>Standard deviation of the normal initialisation of the item tables and user vectors.</summary>
    public const float InitScale = 0.1f;
}
