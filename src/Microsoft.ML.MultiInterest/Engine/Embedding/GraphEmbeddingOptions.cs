namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Settings of <see cref="GraphEmbeddingTrainerEngine"/>. The defaults (100 dimensions, 20 epochs, logistic loss,
/// chunks of 50 edges with 25 in-batch + 25 uniform negatives per side, row-wise Adagrad with learning rate 0.05)
/// were chosen among a handful of PyTorch-BigGraph-like configurations on cit-HepPh, where they reach
/// Recall@10 ≈ 0.42 (PyTorch-BigGraph's ranking recipe: 0.39) at half the cost of 50 + 50 negatives.
/// </summary>
public sealed class GraphEmbeddingOptions
{
    /// <summary>
    /// How the vectors are learned. Default <see cref="EmbeddingAlgorithm.Auto"/>: the algorithm and its settings are
    /// chosen on a validation hold-out of the training edges (see <see cref="EmbeddingAlgorithm.Auto"/>), so the
    /// dimension may differ from <see cref="Dimension"/> (up to <see cref="AutoMaxDimension"/>).
    /// </summary>
    public EmbeddingAlgorithm Algorithm { get; set; } = GraphEmbeddingDefaults.Algorithm;

    /// <summary>Settings of <see cref="EmbeddingAlgorithm.TruncatedSvd"/> (for Auto: the normalisation its trials use).</summary>
    public TruncatedSvdOptions Svd { get; set; } = new();

    /// <summary>Settings of <see cref="EmbeddingAlgorithm.ImplicitAls"/> (its dimension is <see cref="Dimension"/>).</summary>
    public ImplicitAlsOptions Als { get; set; } = new();

    /// <summary>Settings of <see cref="EmbeddingAlgorithm.MixtureEmbedding"/> (components, pooling, one-sided negatives).</summary>
    public MixtureEmbeddingOptions Mixture { get; set; } = new();

    /// <summary>Settings of <see cref="EmbeddingAlgorithm.DifferentiableClustering"/> (interests, iterations, temperature, history length).</summary>
    public DcmOptions Dcm { get; set; } = new();

    /// <summary>Settings of <see cref="EmbeddingAlgorithm.DivideConquer"/> (encoder, prompts, within-cluster negatives, item clusters, intent model).</summary>
    public DivideConquerOptions DivideConquer { get; set; } = new();

    /// <summary>
    /// Share (0..1) of each user's training edges held out for validation. Auto always validates (0 means the default
    /// share); for <see cref="EmbeddingAlgorithm.NegativeSampling"/> and <see cref="EmbeddingAlgorithm.ImplicitAls"/> a
    /// positive value turns on per-epoch (per-iteration) validation, early stopping and a refit on all edges for the best
    /// number of epochs (iterations). Default 0 (Auto: <see cref="GraphEmbeddingDefaults.ValidationFraction"/>).
    /// </summary>
    public double ValidationFraction { get; set; }

    /// <summary>Validation users scored per measurement (seeded sample; 0 = all). Default <see cref="GraphEmbeddingDefaults.ValidationUsers"/>.</summary>
    public int ValidationUsers { get; set; } = GraphEmbeddingDefaults.ValidationUsers;

    /// <summary>K of the validation Recall@K. Default <see cref="GraphEmbeddingDefaults.ValidationCutoff"/>.</summary>
    public int ValidationCutoff { get; set; } = GraphEmbeddingDefaults.ValidationCutoff;

    /// <summary>Epochs without a validation gain before training stops (0 = never stop early). Default <see cref="GraphEmbeddingDefaults.EarlyStoppingPatience"/>.</summary>
    public int EarlyStoppingPatience { get; set; } = GraphEmbeddingDefaults.EarlyStoppingPatience;

    /// <summary>Largest dimension Auto tries, its truncated-SVD ranks and its implicit-ALS trials (otherwise 128) alike (capped by min(users, items)). Default <see cref="GraphEmbeddingDefaults.AutoMaxDimension"/>.</summary>
    public int AutoMaxDimension { get; set; } = GraphEmbeddingDefaults.AutoMaxDimension;

    /// <summary>
    /// Auto's parsimony: among trials whose validation Recall is within this relative share of the best, the one with
    /// the smallest dimension wins (every later stage costs in proportion to the dimension). Default <see cref="GraphEmbeddingDefaults.AutoTolerance"/>.
    /// </summary>
    public double AutoTolerance { get; set; } = GraphEmbeddingDefaults.AutoTolerance;

    /// <summary>
    /// Whether Auto also tries negative-sampling SGD. Default false: on the validation hold-outs of cit-HepPh, Gowalla,
    /// lastfm-2k and ml-100k it lost to both the truncated SVD and implicit ALS, at the highest cost of the three.
    /// </summary>
    public bool AutoIncludesNegativeSampling { get; set; }

    /// <summary>
    /// <see cref="EmbeddingAlgorithm.Auto"/> only: keep the validation hold-out it chose on and the chosen trial's vectors
    /// fitted without it (<see cref="GraphEmbeddingResult.Holdout"/>), so later settings can be chosen on the same hold-out
    /// without a second fit. Default false: they are dropped before the final fit (on cit-HepPh they hold about 32 MB).
    /// </summary>
    public bool KeepHoldout { get; set; }

    /// <summary>Embedding dimension, 1..<see cref="GraphEmbeddingDefaults.MaxDimension"/>. Default <see cref="GraphEmbeddingDefaults.Dimension"/>.</summary>
    public int Dimension { get; set; } = GraphEmbeddingDefaults.Dimension;

    /// <summary>Number of passes over the edges. Default <see cref="GraphEmbeddingDefaults.Epochs"/>.</summary>
    public int Epochs { get; set; } = GraphEmbeddingDefaults.Epochs;

    /// <summary>
    /// Training objective. Default <see cref="EmbeddingLoss.Logistic"/>, which retrieved better than the ranking loss
    /// on cit-HepPh (Recall@10 0.42 against 0.39 at the ranking loss's best learning rate, 0.01).
    /// </summary>
    public EmbeddingLoss Loss { get; set; } = GraphEmbeddingDefaults.Loss;

    /// <summary>Weight w of the negatives' mean in <see cref="EmbeddingLoss.CosineContrastive"/> (ignored by other losses). Default <see cref="GraphEmbeddingDefaults.NegativeWeight"/>.</summary>
    public float NegativeWeight { get; set; } = GraphEmbeddingDefaults.NegativeWeight;

    /// <summary>Margin of <see cref="EmbeddingLoss.Ranking"/> and of <see cref="EmbeddingLoss.CosineContrastive"/> (a cosine, SimpleX uses 0.4-0.9; ignored by other losses). Default <see cref="GraphEmbeddingDefaults.Margin"/>.</summary>
    public float Margin { get; set; } = GraphEmbeddingDefaults.Margin;

    /// <summary>Update rule. Default <see cref="EmbeddingOptimizer.Adagrad"/>.</summary>
    public EmbeddingOptimizer Optimizer { get; set; } = GraphEmbeddingDefaults.Optimizer;

    /// <summary>
    /// Learning rate (for <see cref="EmbeddingOptimizer.Sgd"/>, the initial rate, decayed linearly). Default <see cref="GraphEmbeddingDefaults.LearningRate"/>.
    /// The ranking loss wants less (about 0.01): with larger steps it overfits the training edges.
    /// </summary>
    public float LearningRate { get; set; } = GraphEmbeddingDefaults.LearningRate;

    /// <summary>
    /// Number of edges that share one set of sampled negatives; the scores of a chunk are then one small
    /// matrix product (chunk × negatives) instead of one dot product per pair. Default <see cref="GraphEmbeddingDefaults.ChunkSize"/>.
    /// </summary>
    public int ChunkSize { get; set; } = GraphEmbeddingDefaults.ChunkSize;

    /// <summary>
    /// Uniformly drawn negatives per chunk and side: that many random items corrupt each edge's item and that many
    /// random users corrupt its user. Default <see cref="GraphEmbeddingDefaults.UniformNegatives"/>.
    /// </summary>
    public int UniformNegatives { get; set; } = GraphEmbeddingDefaults.UniformNegatives;

    /// <summary>
    /// Negatives per chunk and side drawn in proportion to degree^<see cref="DegreeExponent"/> (word2vec-style),
    /// which pushes popular entities apart harder. Default <see cref="GraphEmbeddingDefaults.DegreeNegatives"/>.
    /// </summary>
    public int DegreeNegatives { get; set; } = GraphEmbeddingDefaults.DegreeNegatives;

    /// <summary>Exponent of the degree-proportional sampler. Default <see cref="GraphEmbeddingDefaults.DegreeExponent"/>.</summary>
    public float DegreeExponent { get; set; } = GraphEmbeddingDefaults.DegreeExponent;

    /// <summary>
    /// In-batch negatives per edge and side, as in PyTorch-BigGraph: the users and items of the first
    /// <c>BatchNegatives</c> other edges of the same chunk (never the edge's own user or item).
    /// They cost no sampling and follow the degree distribution. At most <see cref="ChunkSize"/>. Default <see cref="GraphEmbeddingDefaults.BatchNegatives"/>.
    /// </summary>
    public int BatchNegatives { get; set; } = GraphEmbeddingDefaults.BatchNegatives;

    /// <summary>
    /// Standard deviation of the normal initialisation of every coordinate. Default <see cref="GraphEmbeddingDefaults.InitScale"/>
    /// (PyTorch-BigGraph's), small so that early updates are driven by the data, not the noise.
    /// </summary>
    public float InitScale { get; set; } = GraphEmbeddingDefaults.InitScale;

    /// <summary>
    /// Subtract log q(j), the chance that entity j fills a negative column, from every logit (positive and negatives), as
    /// sampled softmax with in-batch negatives does to undo their popularity bias (Yi et al. 2019); meant for
    /// <see cref="EmbeddingLoss.Softmax"/>. Default <see cref="GraphEmbeddingDefaults.PopularityCorrection"/>.
    /// </summary>
    public bool PopularityCorrection { get; set; } = GraphEmbeddingDefaults.PopularityCorrection;

    /// <summary>
    /// λ ≥ 0: L2 penalty of negative-sampling SGD, ½λ·deg^ν·|x|² per row and epoch (applied at each of the row's own
    /// edges, with weight λ·deg^(ν−1); edge weights do not scale it); ignored by the cosine loss, whose scores do not depend on norms.
    /// Default <see cref="GraphEmbeddingDefaults.L2Regularization"/>.
    /// </summary>
    public float L2Regularization { get; set; } = GraphEmbeddingDefaults.L2Regularization;

    /// <summary>ν: how the L2 penalty scales with degree (0 = the same for every row, 1 = in proportion to its edges). Default <see cref="GraphEmbeddingDefaults.L2DegreeExponent"/>.</summary>
    public float L2DegreeExponent { get; set; } = GraphEmbeddingDefaults.L2DegreeExponent;

    /// <summary>
    /// g within 0..1: after negative-sampling SGD each user vector becomes (1 − g)·u + g·mean of its training items'
    /// vectors (SimpleX's behaviour aggregation, applied after training rather than learned). Default <see cref="GraphEmbeddingDefaults.HistoryBlend"/>.
    /// </summary>
    public float HistoryBlend { get; set; } = GraphEmbeddingDefaults.HistoryBlend;

    /// <summary>Where negative-sampling SGD starts from. Default <see cref="GraphEmbeddingDefaults.Initialization"/>.</summary>
    public EmbeddingInitialization Initialization { get; set; } = GraphEmbeddingDefaults.Initialization;

    /// <summary>Seed of every random choice (initialisation, shuffling, negatives). Default <see cref="GraphEmbeddingDefaults.Seed"/>.</summary>
    public int Seed { get; set; } = GraphEmbeddingDefaults.Seed;

    /// <summary>
    /// Worker threads; 0 (default) uses all cores. With 1 the run is deterministic: the same seed gives
    /// bit-identical embeddings. With more, the truncated SVD, implicit ALS and <see cref="EmbeddingAlgorithm.Auto"/>
    /// (without <see cref="AutoIncludesNegativeSampling"/>) still give the same embeddings; negative sampling, mixture
    /// embeddings, DCM and divide-and-conquer update shared rows without locks (Hogwild), so theirs vary slightly from run
    /// to run even with the same seed.
    /// </summary>
    public int Threads { get; set; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (Dimension < 1 || Dimension > GraphEmbeddingDefaults.MaxDimension)
            throw Bad(nameof(Dimension), Dimension, $"must be within 1..{GraphEmbeddingDefaults.MaxDimension}");
        if (Epochs < 1) throw Bad(nameof(Epochs), Epochs, "must be at least 1");
        if (!Enum.IsDefined(Loss)) throw Bad(nameof(Loss), Loss, "is not a known loss");
        if (!float.IsFinite(Margin) || Margin < 0) throw Bad(nameof(Margin), Margin, "must be finite and non-negative");
        if (Loss == EmbeddingLoss.CosineContrastive && Margin > 1) throw Bad(nameof(Margin), Margin, "is a cosine for the cosine contrastive loss and must be within 0..1");
        if (!float.IsFinite(L2Regularization) || L2Regularization < 0) throw Bad(nameof(L2Regularization), L2Regularization, "must be finite and non-negative");
        if (!float.IsFinite(L2DegreeExponent) || L2DegreeExponent < 0 || L2DegreeExponent > 2) throw Bad(nameof(L2DegreeExponent), L2DegreeExponent, "must be within 0..2");
        if (!float.IsFinite(HistoryBlend) || HistoryBlend < 0 || HistoryBlend > 1) throw Bad(nameof(HistoryBlend), HistoryBlend, "must be within 0..1");
        if (!float.IsFinite(NegativeWeight) || NegativeWeight < 0) throw Bad(nameof(NegativeWeight), NegativeWeight, "must be finite and non-negative");
        if (!Enum.IsDefined(Optimizer)) throw Bad(nameof(Optimizer), Optimizer, "is not a known optimizer");
        if (!float.IsFinite(LearningRate) || LearningRate <= 0) throw Bad(nameof(LearningRate), LearningRate, "must be positive and finite");
        if (ChunkSize < 1 || ChunkSize > 4096) throw Bad(nameof(ChunkSize), ChunkSize, "must be within 1..4096");
        if (UniformNegatives < 0 || UniformNegatives > 4096) throw Bad(nameof(UniformNegatives), UniformNegatives, "must be within 0..4096");
        if (DegreeNegatives < 0 || DegreeNegatives > 4096) throw Bad(nameof(DegreeNegatives), DegreeNegatives, "must be within 0..4096");
        if (!float.IsFinite(DegreeExponent) || DegreeExponent < 0) throw Bad(nameof(DegreeExponent), DegreeExponent, "must be finite and non-negative");
        if (BatchNegatives < 0 || BatchNegatives > ChunkSize) throw Bad(nameof(BatchNegatives), BatchNegatives, $"must be within 0..ChunkSize ({ChunkSize})");
        if (UniformNegatives + DegreeNegatives + BatchNegatives == 0)
            throw Bad(nameof(UniformNegatives), UniformNegatives, "and the other negative counts are all zero; at least one negative is needed");
        // DCM and divide-and-conquer draw uniform negatives only: none at all would train nothing.
        if (UniformNegatives == 0 && Algorithm is EmbeddingAlgorithm.DifferentiableClustering or EmbeddingAlgorithm.DivideConquer)
            throw Bad(nameof(UniformNegatives), UniformNegatives, $"must be at least 1 for {Algorithm}, which draws uniform negatives only");
        if (!float.IsFinite(InitScale) || InitScale < 0) throw Bad(nameof(InitScale), InitScale, "must be finite and non-negative");
        if (Threads < 0) throw Bad(nameof(Threads), Threads, "must be 0 (all cores) or positive");
        Parallelism.CheckAtMostMax(Threads, nameof(Threads));
        if (!Enum.IsDefined(Algorithm)) throw Bad(nameof(Algorithm), Algorithm, "is not a known algorithm");
        if (!Enum.IsDefined(Initialization)) throw Bad(nameof(Initialization), Initialization, "is not a known initialization");
        ArgumentNullException.ThrowIfNull(Svd, nameof(Svd));
        Svd.Validate();
        ArgumentNullException.ThrowIfNull(Als, nameof(Als));
        Als.Validate();
        ArgumentNullException.ThrowIfNull(Mixture, nameof(Mixture));
        Mixture.Validate();
        ArgumentNullException.ThrowIfNull(Dcm, nameof(Dcm));
        Dcm.Validate();
        ArgumentNullException.ThrowIfNull(DivideConquer, nameof(DivideConquer));
        DivideConquer.Validate();
        if (!double.IsFinite(ValidationFraction) || ValidationFraction < 0 || ValidationFraction >= 1)
            throw Bad(nameof(ValidationFraction), ValidationFraction, "must be within [0, 1)");
        if (ValidationUsers < 0) throw Bad(nameof(ValidationUsers), ValidationUsers, "must be 0 (all) or positive");
        // K sizes every validation user's list, as a retriever's M does (it failed deep in the scorer, naming no option).
        if (ValidationCutoff < 1 || ValidationCutoff > RetrievalLimits.MaxCandidates)
            throw Bad(nameof(ValidationCutoff), ValidationCutoff, $"must be within 1..{RetrievalLimits.MaxCandidates}");
        if (EarlyStoppingPatience < 0) throw Bad(nameof(EarlyStoppingPatience), EarlyStoppingPatience, "must be 0 (never) or positive");
        if (!double.IsFinite(AutoTolerance) || AutoTolerance < 0 || AutoTolerance >= 1) throw Bad(nameof(AutoTolerance), AutoTolerance, "must be within [0, 1)");
        if (AutoMaxDimension < 1 || AutoMaxDimension > GraphEmbeddingDefaults.MaxDimension)
            throw Bad(nameof(AutoMaxDimension), AutoMaxDimension, $"must be within 1..{GraphEmbeddingDefaults.MaxDimension}");
    }

    /// <summary>A copy of these options.</summary>
    /// <returns>A new copy whose sub-options are copies too.</returns>
    public GraphEmbeddingOptions Clone()
    {
        var copy = (GraphEmbeddingOptions)MemberwiseClone();
        copy.Svd = Svd.Clone();
        copy.Als = Als.Clone();
        copy.Mixture = Mixture.Clone();
        copy.Dcm = Dcm.Clone();
        copy.DivideConquer = DivideConquer.Clone();
        return copy;
    }

    private static ArgumentOutOfRangeException Bad(string name, object value, string rule) =>
        new(name, value, $"{name} {rule}.");
}
