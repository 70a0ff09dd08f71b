namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>Settings of the three-method comparison of the evaluation protocol (Unimodal, Mixture, kNN-Embed).</summary>
public sealed class ProtocolSettings
{
    /// <summary>m: mixture components per user. Default <see cref="KnnSmoothedMixtureDefaults.Components"/>.</summary>
    public int Components { get; set; } = KnnSmoothedMixtureDefaults.Components;

    /// <summary>k: neighbours used for smoothing. Default <see cref="KnnSmoothedMixtureDefaults.Neighbors"/>.</summary>
    public int Neighbors { get; set; } = KnnSmoothedMixtureDefaults.Neighbors;

    /// <summary>Jelinek-Mercer smoothing weight in [0, 1]. Default <see cref="KnnSmoothedMixtureDefaults.Lambda"/>; 0 gives the Mixture row.</summary>
    public double Lambda { get; set; } = KnnSmoothedMixtureDefaults.Lambda;

    /// <summary>Quota exponent. Default <see cref="ClusterQuotaRetrieverDefaults.Alpha"/> (slots proportional to component weights).</summary>
    public double Alpha { get; set; } = ClusterQuotaRetrieverDefaults.Alpha;

    /// <summary>Relevance weight of the MMR row, in [0, 1]. Default <see cref="MmrRetrieverDefaults.Lambda"/>.</summary>
    public double MmrLambda { get; set; } = MmrRetrieverDefaults.Lambda;

    /// <summary>
    /// Length of the unimodal ranking the MMR rows re-rank (<c>mmr</c>, <c>interest_mmr</c>, and <c>history_mmr</c>'s pool unless it
    /// re-orders its own list), at least the largest of <see cref="Cutoffs"/>. Default <see cref="MmrRetrieverDefaults.PoolSize"/>.
    /// </summary>
    public int MmrPoolSize { get; set; } = MmrRetrieverDefaults.PoolSize;

    /// <summary>
    /// The relevance weight of the <c>mmr_reorder</c> row, in [0, 1], or null for no row (the default): MMR over Unimodal's
    /// top M only, M the largest cutoff, so the row only re-orders Unimodal's list: Unimodal's Recall@M at every lambda and
    /// a more diverse head. Each shorter cutoff is a prefix of the one greedy order. It is the strongest MMR for a comparison
    /// of Recall@M with Diversity at a shorter cutoff, which a re-ordering alone can win.
    /// </summary>
    public double? ReorderMmrLambda { get; set; }

    /// <summary>The tuned multi-interest row (<c>knn_embed_tuned</c>), or null for none (the default).</summary>
    public MultiInterestRowSettings? MultiInterest { get; set; }

    /// <summary>The history-interest MMR row (<c>history_mmr</c>), or null for none (the default).</summary>
    public HistoryMmrRowSettings? HistoryMmr { get; set; }

    /// <summary>
    /// Whether to add the <c>knn_embed_round_robin</c> row: the kNN-Embed mixtures served by round-robin retrieval
    /// (<see cref="RoundRobinRetriever"/>: each component's nearest items, merged by max w_c / rank_c) instead of cluster quotas.
    /// Default false.
    /// </summary>
    public bool KnnRoundRobin { get; set; }

    /// <summary>
    /// Whether to add the <c>popular</c> row, last among this evaluator's rows: each user's most popular unseen items
    /// (<see cref="PopularItems"/>), the floor any personalised row should clear. It has no user representation, so no
    /// goodness of fit (its EMD is NaN). Default false; <c>evaluate</c> and <c>reproduce</c> turn it on.
    /// </summary>
    public bool Popular { get; set; }

    /// <summary>
    /// Whether to measure the recall-diversity frontiers (Recall@50, Diversity@10): MMR, multi-interest MMR and history-interest MMR over
    /// <see cref="FrontierMmrLambdas"/>, and the tuned quota row over <see cref="FrontierHeadShares"/> and <see cref="FrontierAlphas"/>. Default false.
    /// </summary>
    public bool Frontier { get; set; }

    /// <summary>
    /// Whether the result's mixture rows (<c>mixture</c>, <c>knn_embed</c>, the round robin, <c>knn_embed_tuned</c>,
    /// <c>interest_mmr</c>) keep every test user's component embeddings in <see cref="MethodEvaluation.Mixtures"/>. Default
    /// false: they keep the clusters and weights, and each table's embeddings (m x d floats per user: 1.8 GB for the three
    /// tables of Gowalla's 29,858 users at d = 768) are let go once its rows are retrieved and scored, so that the history
    /// row's stage does not run beside them. Set it when a later step reads the components, such as a conditional row
    /// merged with the implicit ones.
    /// </summary>
    public bool KeepMixtureEmbeddings { get; set; }

    /// <summary>
    /// How many test users' whole mixtures, component embeddings included, each mixture row keeps in
    /// <see cref="MethodEvaluation.MixtureSample"/> (the users <see cref="MixtureSample.Select"/> picks from the
    /// <c>knn_embed</c> mixtures), for plots. Default 0.
    /// </summary>
    public int MixtureSampleUsers { get; set; }

    /// <summary>
    /// Test users per block of the history row's stage (<see cref="HistoryInterestDefaults.EvaluationBlockUsers"/>): each
    /// block's interest vectors are let go once its lists and goodness of fit are measured. The figures do not depend on it.
    /// </summary>
    internal int HistoryBlockUsers { get; set; } = HistoryInterestDefaults.EvaluationBlockUsers;

    /// <summary>
    /// Test users per block of the Mixture and kNN-Embed rows (<see cref="KnnSmoothedMixtureDefaults.EvaluationBlockUsers"/>):
    /// each block's component embeddings are let go once its lists are retrieved, unless <see cref="KeepMixtureEmbeddings"/>
    /// is set. The figures do not depend on it.
    /// </summary>
    internal int MixtureBlockUsers { get; set; } = KnnSmoothedMixtureDefaults.EvaluationBlockUsers;

    /// <summary>The MMR lambdas of the frontier, ascending. Default 0, 0.1, ..., 1.</summary>
    public double[] FrontierMmrLambdas { get; set; } = Enumerable.Range(0, 11).Select(i => i / 10.0).ToArray();

    /// <summary>The tuned row's head shares of the frontier, ascending. Default 0, 0.1, ..., 1.</summary>
    public double[] FrontierHeadShares { get; set; } = Enumerable.Range(0, 11).Select(i => i / 10.0).ToArray();

    /// <summary>The tuned row's quota exponents of the frontier, ascending. Default 0, 0.25, 0.5, 0.75, 1, 1.5, 2.</summary>
    public double[] FrontierAlphas { get; set; } = [0, 0.25, 0.5, 0.75, 1, 1.5, 2];

    /// <summary>Cutoffs K; each is its own retrieval with M = K. Default <see cref="EvaluationDefaults.Cutoffs"/>.</summary>
    public int[] Cutoffs { get; set; } = EvaluationDefaults.Cutoffs;

    /// <summary>Degree of parallelism; 0 = all cores. The figures do not depend on it.</summary>
    public int Threads { get; set; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (Components < 1) throw new ArgumentOutOfRangeException(nameof(Components), Components, "Components (m) must be at least 1.");
        if (Neighbors < 1) throw new ArgumentOutOfRangeException(nameof(Neighbors), Neighbors, "Neighbors (k) must be at least 1.");
        if (MixtureSampleUsers < 0) throw new ArgumentOutOfRangeException(nameof(MixtureSampleUsers), MixtureSampleUsers, "MixtureSampleUsers cannot be negative.");
        if (HistoryBlockUsers < 1) throw new ArgumentOutOfRangeException(nameof(HistoryBlockUsers), HistoryBlockUsers, "HistoryBlockUsers must be at least 1.");
        if (MixtureBlockUsers < 1) throw new ArgumentOutOfRangeException(nameof(MixtureBlockUsers), MixtureBlockUsers, "MixtureBlockUsers must be at least 1.");
        if (double.IsNaN(Lambda) || Lambda < 0 || Lambda > 1) throw new ArgumentOutOfRangeException(nameof(Lambda), Lambda, "Lambda must lie in [0, 1].");
        if (!double.IsFinite(Alpha) || Alpha < 0) throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "Alpha must be finite and non-negative.");
        if (Cutoffs == null || Cutoffs.Length == 0 || Cutoffs.Any(c => c < 1))
            throw new ArgumentOutOfRangeException(nameof(Cutoffs), "Cutoffs must be a non-empty list of positive list lengths.");
        if (!(MmrLambda >= 0 && MmrLambda <= 1)) throw new ArgumentOutOfRangeException(nameof(MmrLambda), MmrLambda, "MmrLambda must lie in [0, 1].");
        if (MmrPoolSize < 1) throw new ArgumentOutOfRangeException(nameof(MmrPoolSize), MmrPoolSize, "MmrPoolSize must be at least 1.");
        // A shorter pool would give the re-ranking rows lists shorter than the cutoff, scored as if the missing slots were misses.
        if (MmrPoolSize < Cutoffs.Max())
            throw new ArgumentOutOfRangeException(nameof(MmrPoolSize), MmrPoolSize,
                $"MmrPoolSize ({MmrPoolSize}) is below the largest cutoff ({Cutoffs.Max()}): the rows that re-rank the pool (mmr, interest_mmr, history_mmr) "
                + $"would list only {MmrPoolSize} items, scored at every longer cutoff as if the rest were misses. Use at least {Cutoffs.Max()}.");
        if (ReorderMmrLambda is { } reorder && !(reorder >= 0 && reorder <= 1))
            throw new ArgumentOutOfRangeException(nameof(ReorderMmrLambda), reorder, "ReorderMmrLambda must lie in [0, 1] (null for no row).");
        MultiInterest?.Validate();
        HistoryMmr?.Validate();
        CheckKnob(FrontierMmrLambdas, nameof(FrontierMmrLambdas), 0, 1);
        CheckKnob(FrontierHeadShares, nameof(FrontierHeadShares), 0, 1);
        CheckKnob(FrontierAlphas, nameof(FrontierAlphas), 0, double.MaxValue);
        if (Threads < 0) throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "Threads must be 0 (all cores) or positive.");
        Parallelism.CheckAtMostMax(Threads, nameof(Threads));
    }

    private static void CheckKnob(double[] values, string name, double min, double max)
    {
        if (values == null || values.Length == 0) throw new ArgumentOutOfRangeException(name, $"{name} must hold at least one value.");
        for (int i = 0; i < values.Length; i++)
        {
            if (!(values[i] >= min && values[i] <= max)) throw new ArgumentOutOfRangeException(name, values[i], $"{name} values must lie in [{min}, {max}].");
            if (i > 0 && values[i] <= values[i - 1]) throw new ArgumentOutOfRangeException(name, values[i], $"{name} must be strictly ascending.");
        }
    }
}
