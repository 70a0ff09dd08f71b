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
    internal static readonly int[] RankLadder = [16, 32, 64, 128, 256, 384, 512, 768, 1024];

    /// <summary>Spectral exponents γ tried at the best rank.</summary>
    internal static readonly double[] SpectralExponents = [0, 1, 2];

    /// <summary>Item popularity exponents c tried at the best rank.</summary>
    internal static readonly double[] ItemDegreeExponents = [0, 0.25, 0.5, 0.75];

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

        // 3. Refit the winner on all training edges.
        if (svd.Recall >= sgdRecall)
        {
            var final = o.Clone();
            final.Algorithm = EmbeddingAlgorithm.TruncatedSvd;
            final.Dimension = svd.Rank;
            final.Svd.SpectralExponent = svd.SpectralExponent;
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

    private readonly record struct SpectralChoice(int Rank, double SpectralExponent, double ItemDegreeExponent, double Recall);

    /// <summary>Coordinate search: ranks at the configured exponents, then the exponent grid at the best rank, then the ranks again.</summary>
    private static SpectralChoice SearchSpectral(BipartiteGraph train, GraphEmbeddingOptions o, ValidationScorer scorer, int threads,
        List<ValidationPoint> curve, CancellationToken ct)
    {
        int maxRank = Math.Min(o.AutoMaxDimension, Math.Min(train.UserCount, train.ItemCount));
        var ranks = RankLadder.Where(r => r < maxRank).Append(maxRank).ToArray();
        var factors = SpectralFactors.Compute(train, maxRank, o.Svd, o.Seed, threads, ct);
        var tried = new Dictionary<(int, double, double), double>();
        var best = new SpectralChoice(0, o.Svd.SpectralExponent, o.Svd.ItemDegreeExponent, double.NegativeInfinity);

        void Try(int rank, double gamma, double c)
        {
            if (tried.ContainsKey((rank, gamma, c))) return;
            ct.ThrowIfCancellationRequested();
            var (users, items) = factors.Embed(rank, gamma, c);
            var score = scorer.Score(users, items, threads);
            tried[(rank, gamma, c)] = score.Recall;
            curve.Add(new ValidationPoint($"truncated-svd d={rank} gamma={gamma:G3} c={c:G3}", curve.Count + 1, score.Recall, score.Ndcg));
            if (score.Recall > best.Recall) best = new SpectralChoice(rank, gamma, c, score.Recall);
        }

        foreach (int rank in ranks) Try(rank, best.SpectralExponent, best.ItemDegreeExponent);
        foreach (double gamma in SpectralExponents)
            foreach (double c in ItemDegreeExponents) Try(best.Rank, gamma, c);
        foreach (int rank in ranks) Try(rank, best.SpectralExponent, best.ItemDegreeExponent);
        return best;
    }
}
