namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Settings of <see cref="EmbeddingAlgorithm.DifferentiableClustering"/> (Pinterest's differentiable clustering module;
/// docs: methods.md, section 3). A user has no parameters of its own: its <see cref="Interests"/> unit vectors are the
/// centroids of a soft k-means of its history's unit item vectors, started from K learned global seeds and run for
/// <see cref="Iterations"/> steps (<c>a_ik = softmax_k(⟨x_i, m_k⟩/τ)</c>, <c>m_k ← unit(Σ_i a_ik x_i + β m_k)</c>), and the
/// item vectors, seeds (and optionally τ) are trained end to end through the iterations: each training edge (u, j) scores
/// j against the interests of u's other items with the margin ranking loss of the mixture embeddings
/// (<c>max(0, pool(M(u, j')) + margin − pool(M(u, j)))</c> per uniform negative j'). Served by
/// <see cref="RoundRobinRetriever"/> with the cluster masses as weights. The shared settings (dimension, epochs, learning
/// rate, margin, uniform negatives, optimiser, seed, threads) are those of <see cref="GraphEmbeddingOptions"/>.
/// </summary>
public sealed class DcmOptions
{
    /// <summary>K ≥ 1, interest vectors per user. Default <see cref="DcmDefaults.Interests"/>.</summary>
    public int Interests { get; set; } = DcmDefaults.Interests;

    /// <summary>T ≥ 1, soft k-means iterations. Default <see cref="DcmDefaults.Iterations"/>.</summary>
    public int Iterations { get; set; } = DcmDefaults.Iterations;

    /// <summary>τ &gt; 0, the assignment temperature (the initial value when learned). Default <see cref="DcmDefaults.Temperature"/>.</summary>
    public float Temperature { get; set; } = DcmDefaults.Temperature;

    /// <summary>Whether τ is trained with the vectors (on log τ, by SGD at the learning rate × 0.01). Default <see cref="DcmDefaults.LearnTemperature"/>.</summary>
    public bool LearnTemperature { get; set; } = DcmDefaults.LearnTemperature;

    /// <summary>β ≥ 0, the pseudo-count of the previous centroid in each update. Default <see cref="DcmDefaults.PriorWeight"/>.</summary>
    public float PriorWeight { get; set; } = DcmDefaults.PriorWeight;

    /// <summary>a within [0, 16]: the interests' weights are their soft masses raised to a, normalised (0: equal weights). Default <see cref="DcmDefaults.WeightExponent"/>.</summary>
    public float WeightExponent { get; set; } = DcmDefaults.WeightExponent;

    /// <summary>L ≥ 1, history items per training example (a random subset when the user has more; serving uses the whole history). Default <see cref="DcmDefaults.MaxHistory"/>.</summary>
    public int MaxHistory { get; set; } = DcmDefaults.MaxHistory;

    /// <summary>Pooling of the K cosines of a positive pair (negatives use its unregularised counterpart). Default <see cref="DcmDefaults.Pooling"/>.</summary>
    public MixturePooling Pooling { get; set; } = DcmDefaults.Pooling;

    /// <summary>γ &gt; 0 of the smooth poolings. Default <see cref="DcmDefaults.Gamma"/>.</summary>
    public float Gamma { get; set; } = DcmDefaults.Gamma;

    /// <summary>θ within [0, 1] of <see cref="MixturePooling.RegularizedSmoothmax"/> (ignored by the others). Default <see cref="MixtureEmbeddingDefaults.Theta"/>.</summary>
    public float Theta { get; set; } = MixtureEmbeddingDefaults.Theta;

    /// <summary>
    /// Item vectors to start from instead of random ones (warm start), one row per item of the graph and
    /// <see cref="GraphEmbeddingOptions.Dimension"/> columns, e.g. a single-vector model's item table; rows are projected on
    /// the unit sphere. Null (the default) starts from random unit vectors. With a start that already ranks well, DCM only has
    /// to learn how to split a history into interests, instead of learning the item space from nothing (docs/results.md).
    /// </summary>
    public EmbeddingMatrix? InitialItems { get; set; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (Interests < 1 || Interests > 64) throw Bad(nameof(Interests), Interests, "must be within 1..64");
        if (Iterations < 1 || Iterations > 20) throw Bad(nameof(Iterations), Iterations, "must be within 1..20");
        if (!float.IsFinite(Temperature) || Temperature < 1e-3f || Temperature > 1e3f) throw Bad(nameof(Temperature), Temperature, "must be within 0.001..1000");
        if (!float.IsFinite(PriorWeight) || PriorWeight < 0 || PriorWeight > 1e4f) throw Bad(nameof(PriorWeight), PriorWeight, "must be within 0..10000");
        if (!float.IsFinite(WeightExponent) || WeightExponent < 0 || WeightExponent > 16) throw Bad(nameof(WeightExponent), WeightExponent, "must be within [0, 16]");
        if (MaxHistory < 1 || MaxHistory > 100_000) throw Bad(nameof(MaxHistory), MaxHistory, "must be within 1..100000");
        if (!Enum.IsDefined(Pooling)) throw Bad(nameof(Pooling), Pooling, "is not a known pooling");
        if (!float.IsFinite(Gamma) || Gamma < 1e-3f || Gamma > 1e3f) throw Bad(nameof(Gamma), Gamma, "must be within 0.001..1000");
        if (!float.IsFinite(Theta) || Theta < 0 || Theta > 1) throw Bad(nameof(Theta), Theta, "must be within [0, 1]");
    }

    /// <summary>A copy (the <see cref="InitialItems"/> table is shared, not copied).</summary>
    /// <returns>A new shallow copy.</returns>
    public DcmOptions Clone() => (DcmOptions)MemberwiseClone();

    private static ArgumentOutOfRangeException Bad(string name, object value, string rule) => new(name, value, $"Dcm.{name} {rule}.");
}
