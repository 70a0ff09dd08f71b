using System.Diagnostics;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// <see cref="EmbeddingAlgorithm.Auto"/>: carves a validation hold-out from the training edges (the protocol's rule,
/// seeded), measures validation Recall@K of the truncated SVD over a ladder of ranks and a small grid of spectral and
/// popularity exponents (one factorisation serves every trial: smaller ranks are prefixes), and of negative-sampling
/// SGD with early stopping; then refits the winner on all training edges. The test split is never looked at.
/// </summary>
internal static class AutoEmbedding
{
    /// <summary>Ranks tried, capped by <see cref="GraphEmbeddingOptions.AutoMaxDimension"/> and min(users, items).</summary>
    internal static readonly int[] RankLadder = [32, 64, 128, 256, 384, 512, 768, 1024];

    /// <summary>The rank at which the exponents are first compared (cheap, and their ordering carries over).</summary>
    internal const int ScreeningRank = 128;

    /// <summary>Spectral exponents γ tried.</summary>
    internal static readonly double[] SpectralExponents = [0, 1];

    /// <summary>Item popularity exponents c tried.</summary>
    internal static readonly double[] ItemDegreeExponents = [0, 0.25, 0.5, 0.75];

    /// <summary>Degree smoothings s tried (each needs its own factorisation, so they are screened at the cheap rank).</summary>
    internal static readonly double[] DegreeSmoothings = [1, 10, 50];

    public static GraphEmbeddingResult Fit(BipartiteGraph graph, GraphEmbeddingOptions o, int threads, IProgress<EpochStats>? progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        double fraction = o.ValidationFraction > 0 ? o.ValidationFraction : GraphEmbeddingDefaults.ValidationFraction;
        var split = ValidationSplit.Create(graph, fraction, o.Seed);
        var scorer = new ValidationScorer(split, o.ValidationCutoff, o.ValidationUsers, o.Seed);
        var curve = new List<ValidationPoint>();
        if (scorer.UserCount == 0)
        {
            // Too few edges to hold any out (every user has fewer than three): nothing to choose on.
            var plain = o.Clone();
            plain.Algorithm = EmbeddingAlgorithm.NegativeSampling;
            return NegativeSamplingTrainer.Fit(graph, plain, threads, progress, null, curve, ct).Result;
        }

        // 1. Truncated SVD: one factorisation at the largest rank, every trial read off it.
        var svd = SearchSpectral(split.Train, o, scorer, threads, curve, ct);

        // 2. Negative-sampling SGD with per-epoch validation and early stopping.
        var sgdOptions = o.Clone();
        sgdOptions.Algorithm = EmbeddingAlgorithm.NegativeSampling;
        int sgdFirst = curve.Count;
        int bestEpoch = NegativeSamplingTrainer.Fit(split.Train, sgdOptions, threads, null, scorer, curve, ct).Epoch;
        double sgdRecall = curve.Skip(sgdFirst).Max(p => p.Recall);
        double selection = clock.Elapsed.TotalSeconds;

        // 3. Refit the winner on all training edges. Within AutoTolerance of the best, the smaller vectors win:
        //    every later stage (clustering, neighbours, retrieval) costs in proportion to the dimension.
        double best = Math.Max(svd.Recall, sgdRecall);
        bool svdQualifies = svd.Recall >= (1 - o.AutoTolerance) * best;
        bool sgdQualifies = sgdRecall >= (1 - o.AutoTolerance) * best;
        bool useSvd = svdQualifies && (!sgdQualifies || svd.Rank < o.Dimension || (svd.Rank == o.Dimension && svd.Recall >= sgdRecall));
        if (useSvd)
        {
            var final = o.Clone();
            final.Algorithm = EmbeddingAlgorithm.TruncatedSvd;
            final.Dimension = svd.Rank;
            final.Svd.SpectralExponent = svd.SpectralExponent;
            final.Svd.DegreeSmoothing = svd.Smoothing;
            final.Svd.ItemDegreeExponent = svd.ItemDegreeExponent;
            var result = TruncatedSvdTrainer.Fit(graph, final, threads, ct);
            return new GraphEmbeddingResult(result.UserEmbeddings, result.ItemEmbeddings, result.Epochs)
            {
                Algorithm = EmbeddingAlgorithm.TruncatedSvd, Settings = result.Settings, Validation = curve, SelectionSeconds = selection,
            };
        }
        sgdOptions.Epochs = bestEpoch;
        var sgd = NegativeSamplingTrainer.Fit(graph, sgdOptions, threads, progress, null, [], ct).Result;
        return new GraphEmbeddingResult(sgd.UserEmbeddings, sgd.ItemEmbeddings, sgd.Epochs)
        {
            Algorithm = EmbeddingAlgorithm.NegativeSampling, Settings = NegativeSamplingTrainer.Describe(sgdOptions), Validation = curve, SelectionSeconds = selection,
        };
    }

    private readonly record struct SpectralChoice(int Rank, double Smoothing, double SpectralExponent, double ItemDegreeExponent, double Recall);

    /// <summary>
    /// Coordinate search. Screening: for each degree smoothing, a cheap factorisation at the screening rank and the
    /// exponent grid. Then one factorisation at the largest rank with the best smoothing: the rank ladder with the best
    /// exponents, and the exponent grid again at the best rank. Finally the smallest rank within AutoTolerance of the best.
    /// </summary>
    private static SpectralChoice SearchSpectral(BipartiteGraph train, GraphEmbeddingOptions o, ValidationScorer scorer, int threads,
        List<ValidationPoint> curve, CancellationToken ct)
    {
        int maxRank = Math.Min(o.AutoMaxDimension, Math.Min(train.UserCount, train.ItemCount));
        int screeningRank = Math.Min(ScreeningRank, maxRank);
        var tried = new Dictionary<SpectralChoice, double>();
        var best = new SpectralChoice(0, o.Svd.DegreeSmoothing, o.Svd.SpectralExponent, o.Svd.ItemDegreeExponent, double.NegativeInfinity);

        void Try(SpectralFactors factors, int rank, double smoothing, double gamma, double c)
        {
            var key = new SpectralChoice(rank, smoothing, gamma, c, 0);
            if (tried.ContainsKey(key)) return;
            ct.ThrowIfCancellationRequested();
            var (users, items) = factors.Embed(rank, gamma, c);
            var score = scorer.Score(users, items, threads);
            tried[key] = score.Recall;
            curve.Add(new ValidationPoint($"truncated-svd d={rank} s={smoothing:G3} gamma={gamma:G3} c={c:G3}", curve.Count + 1, score.Recall, score.Ndcg));
            if (score.Recall > best.Recall) best = key with { Recall = score.Recall };
        }

        void Grid(SpectralFactors factors, int rank, double smoothing)
        {
            foreach (double gamma in SpectralExponents)
                foreach (double c in ItemDegreeExponents) Try(factors, rank, smoothing, gamma, c);
        }

        SpectralFactors Factorise(int rank, double smoothing)
        {
            var svd = o.Svd.Clone();
            svd.DegreeSmoothing = smoothing;
            return SpectralFactors.Compute(train, rank, svd, o.Seed, threads, ct);
        }

        foreach (double smoothing in DegreeSmoothings)
            Grid(Factorise(screeningRank, smoothing), screeningRank, smoothing);
        if (maxRank > screeningRank)
        {
            var full = Factorise(maxRank, best.Smoothing);
            foreach (int rank in RankLadder.Where(r => r < maxRank).Append(maxRank))
                Try(full, rank, best.Smoothing, best.SpectralExponent, best.ItemDegreeExponent);
            Grid(full, best.Rank, best.Smoothing);
        }

        // Parsimony: the smallest rank whose best trial is within tolerance of the overall best.
        double bar = (1 - o.AutoTolerance) * best.Recall;
        var (choice, recall) = tried.Where(t => t.Value >= bar).OrderBy(t => t.Key.Rank).ThenByDescending(t => t.Value).First();
        return choice with { Recall = recall };
    }
}
