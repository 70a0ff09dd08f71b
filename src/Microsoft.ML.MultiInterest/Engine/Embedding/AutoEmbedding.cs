using System.Diagnostics;
using System.Globalization;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// <see cref="EmbeddingAlgorithm.Auto"/>: carves a validation hold-out from the training edges (the protocol's rule,
/// seeded) and measures validation Recall@K of every candidate on a sample of users: the truncated SVD over degree
/// smoothings, ranks, spectral and popularity exponents (smaller ranks are prefixes of one factorisation), and
/// implicit ALS over regularisation and unobserved weight with early stopping (negative-sampling SGD too when
/// <see cref="GraphEmbeddingOptions.AutoIncludesNegativeSampling"/> is set: it lost to both on every graph tried). The leading trials are then measured again on a four times larger
/// sample (a 2,000-user sample cannot tell trials 1% apart), the smallest vectors within
/// <see cref="GraphEmbeddingOptions.AutoTolerance"/> of the best win, and the winner is refitted on all training
/// edges. The test split is never looked at.
/// </summary>
internal static class AutoEmbedding
{
    /// <summary>Trials within this many tolerances of the best screening figure are measured again on more users.</summary>
    internal const double ConfirmationBand = 3;

    /// <summary>At most this many trials are measured again.</summary>
    private const int ConfirmationTrials = 6;

    /// <summary>The confirmation sample is this many times the screening sample.</summary>
    private const int ConfirmationScale = 4;

    /// <remarks>
    /// A warm start (<see cref="ImplicitAlsOptions.InitialItems"/>) starts the final fit only, and only when Auto chose implicit
    /// ALS at the start's dimension (<see cref="AlsWarmStart.AppliesTo"/>): the trials start cold, since the start was fitted
    /// on earlier training edges that include most of today's hold-out and would flatter the trials that stay near it.
    /// </remarks>
    public static GraphEmbeddingResult Fit(BipartiteGraph graph, GraphEmbeddingOptions given, int threads, IProgress<EpochStats>? progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var start = given.Als.InitialItems;
        var o = AlsWarmStart.WithoutStart(given);
        double fraction = o.ValidationFraction > 0 ? o.ValidationFraction : GraphEmbeddingDefaults.ValidationFraction;
        var split = ValidationSplit.Create(graph, fraction, o.Seed);
        var scorer = new ValidationScorer(split, o.ValidationCutoff, o.ValidationUsers, o.Seed);
        var curve = new ValidationCurve(progress as IProgress<ValidationPoint>);
        // Too few edges to hold any out (every user has fewer than three), or a cutoff that recalls every held-out edge
        // whatever the vectors: nothing to choose on, so implicit ALS at its defaults. Negative sampling, the fallback before,
        // lost to ALS and the SVD on every graph tried (on one of 6,000 users with two edges each, Recall@50 0.463 against ALS's 0.681).
        string? unchoosable = scorer.UserCount == 0
            ? ValidationSplit.WhyEmpty(graph, $"no user has the {ValidationSplit.MinimumUserEdges} training edges a validation hold-out needs")
            : ValidationCutoffBound.Saturates(scorer) ? ValidationCutoffBound.Why(scorer, graph.ItemCount) : null;
        if (unchoosable != null)
        {
            var plain = WithStart(FallbackAls(graph, o), start, given.Als.WarmStartIterations);
            var fallback = ImplicitAlsTrainer.Fit(graph, plain, threads, progress, null, curve, ct).Result;
            return new GraphEmbeddingResult(fallback.UserEmbeddings, fallback.ItemEmbeddings, fallback.Epochs)
            {
                Algorithm = fallback.Algorithm, Als = fallback.Als,
                Settings = $"{fallback.Settings} (Auto's fallback: {unchoosable}, so nothing was chosen)",
            };
        }

        var (final, holdout) = Select(split, o, scorer, threads, curve, ct);
        double selection = clock.Elapsed.TotalSeconds;

        final.ValidationFraction = 0; // chosen already: the final fit uses every training edge
        var result = GraphEmbeddingTrainerEngine.Fit(graph, WithStart(final, start, given.Als.WarmStartIterations), progress, ct);
        return new GraphEmbeddingResult(result.UserEmbeddings, result.ItemEmbeddings, result.Epochs)
        {
            Algorithm = result.Algorithm, Settings = result.Settings, Als = result.Als, Validation = curve.ToArray(), SelectionSeconds = selection,
            // The choice, not the start: a refit of these settings on other edges (a hold-out) must not start from this graph's rows.
            ChosenOptions = final.Clone(),
            Holdout = holdout,
        };
    }

    /// <summary>
    /// The concrete <paramref name="fit"/> (chosen cold) with the warm start and its <paramref name="iterations"/> when it applies
    /// to it (<see cref="AlsWarmStart.AppliesTo"/>), else as it is.
    /// </summary>
    private static GraphEmbeddingOptions WithStart(GraphEmbeddingOptions fit, EmbeddingMatrix? start, int iterations)
    {
        if (start == null || !AlsWarmStart.AppliesTo(fit, start.Dimension)) return fit;
        var started = fit.Clone();
        started.Als.InitialItems = start;
        started.Als.WarmStartIterations = iterations;
        return started;
    }

    /// <summary>
    /// Searches the candidates on the hold-out and returns the chosen settings (and, with <see cref="GraphEmbeddingOptions.KeepHoldout"/>,
    /// the hold-out with the chosen trial's vectors). Apart from those, nothing of the selection outlives this call: its
    /// factorisations and vectors (0.6 GB at Gowalla's ranks up to 768) are garbage before the final fit starts.
    /// </summary>
    private static (GraphEmbeddingOptions Final, ValidationHoldout? Holdout) Select(ValidationSplit split, GraphEmbeddingOptions o, ValidationScorer scorer,
        int threads, ValidationCurve curve, CancellationToken ct)
    {
        var spectral = new SpectralSearch(split.Train, o, scorer, threads, curve, ct);
        spectral.Screen();
        var others = SearchImplicitAls(split.Train, o, scorer, threads, curve, ct);
        if (o.AutoIncludesNegativeSampling) others.Add(NegativeSampling(split.Train, o, scorer, threads, curve, ct));
        // Larger SVD ranks cost a factorisation each (quadratic in the rank): tried only while the SVD leads and still
        // gains at its largest rank.
        double othersBest = others.Count == 0 ? double.NegativeInfinity : others.Max(t => t.Recall);
        while (spectral.ShouldExtend(othersBest)) spectral.Extend();
        var trials = spectral.Trials.Concat(others).ToList();

        var final = o.Clone();
        var chosen = Confirm(split, o, scorer, trials, threads, curve, ct);
        chosen.Configure(final);
        ValidationHoldout? holdout = null;
        if (o.KeepHoldout)
        {
            var (users, items) = chosen.Vectors();
            holdout = new ValidationHoldout(split.Train, split.Validation, users, items);
        }
        return (final, holdout);
    }

    /// <summary>
    /// Measures the leading trials again on a larger sample and applies parsimony there: among trials within AutoTolerance
    /// of the best, the smallest dimension wins (every later stage costs in proportion to it), ties to the better figure.
    /// </summary>
    private static AutoTrial Confirm(ValidationSplit split, GraphEmbeddingOptions o, ValidationScorer screening, List<AutoTrial> trials, int threads,
        ValidationCurve curve, CancellationToken ct)
    {
        double best = trials.Max(t => t.Recall);
        var leading = trials.Where(t => t.Recall >= (1 - ConfirmationBand * o.AutoTolerance) * best)
            .OrderByDescending(t => t.Recall).Take(ConfirmationTrials).ToList();
        // In long: a ValidationUsers past int.MaxValue / 4 (meaning "all") overflowed to a negative sample size.
        long users = o.ValidationUsers == 0 ? 0 : (long)o.ValidationUsers * ConfirmationScale;
        // Measured again unless the screening sample already holds every user with a held-out edge. Until 1.16.0 the sample
        // was compared with every user of the graph, so on graphs of up to 4 x ValidationUsers users the screening figures
        // decided alone, without a word (a 5,000-user graph of 4,656 validation users).
        var scorer = users == 0 || screening.UserCount >= screening.HeldOutUserCount ? screening
            : new ValidationScorer(split, o.ValidationCutoff, (int)Math.Min(users, screening.HeldOutUserCount), o.Seed);
        var shared = ReferenceEquals(scorer, screening) ? [] : MeasureFamilies(leading, scorer, threads, ct);
        var confirmed = new List<AutoTrial>();
        foreach (var trial in leading)
        {
            ct.ThrowIfCancellationRequested();
            double recall = trial.Recall;
            if (!ReferenceEquals(scorer, screening))
            {
                if (!shared.TryGetValue(trial, out var score))
                {
                    var (u, i) = trial.Vectors();
                    score = scorer.Score(u, i, threads);
                }
                recall = score.Recall;
                curve.Add(new ValidationPoint($"confirm {trial.Name}", curve.Count + 1, score.Recall, score.Ndcg) { Confirmation = true, Dimension = trial.Dimension });
            }
            confirmed.Add(trial with { Recall = recall });
        }
        double bar = (1 - o.AutoTolerance) * confirmed.Max(t => t.Recall);
        return confirmed.Where(t => t.Recall >= bar).OrderBy(t => t.Dimension).ThenByDescending(t => t.Recall).First();
    }

    /// <summary>
    /// The figures of leading truncated-SVD trials that share a factorisation, rank and γ (they differ only by the items'
    /// popularity factor), each family measured in one scan
    /// (<see cref="ValidationScorer.Score(EmbeddingMatrix, EmbeddingMatrix, IReadOnlyList{float[]}, int)"/>).
    /// </summary>
    internal static Dictionary<AutoTrial, ValidationScore> MeasureFamilies(List<AutoTrial> leading, ValidationScorer scorer, int threads, CancellationToken ct)
    {
        var scores = new Dictionary<AutoTrial, ValidationScore>(ReferenceEqualityComparer.Instance);
        foreach (var family in leading.Where(t => t.Spectral != null).GroupBy(t => t.Spectral!.Family).Where(g => g.Count() > 1))
        {
            ct.ThrowIfCancellationRequested();
            var members = family.ToArray();
            var (factors, rank, gamma) = family.Key;
            var measured = SpectralSearch.MeasureExponents(factors, rank, gamma, members.Select(t => t.Spectral!.ItemDegreeExponent).ToArray(), scorer, threads);
            for (int j = 0; j < members.Length; j++) scores[members[j]] = measured[j];
        }
        return scores;
    }

    /// <summary>
    /// Auto's choice without a hold-out: implicit ALS with the options' own ALS settings (the library's defaults unless set:
    /// λ 0.01, more regularised than Auto's trials start from, which suits users of one or two edges) at Auto's ALS dimension.
    /// </summary>
    private static GraphEmbeddingOptions FallbackAls(BipartiteGraph graph, GraphEmbeddingOptions o)
    {
        var plain = o.Clone();
        plain.Algorithm = EmbeddingAlgorithm.ImplicitAls;
        plain.Dimension = AlsDimensionFor(graph, o);
        plain.ValidationFraction = 0;
        return plain;
    }

    /// <summary>Iterations without a validation gain that end an implicit-ALS trial (at most the user's patience).</summary>
    internal const int TrialPatience = 2;

    /// <summary>Conjugate-gradient steps of the final implicit-ALS fit (at least the configured ones).</summary>
    internal const int FinalCgSteps = ImplicitAlsDefaults.AutoFinalCgSteps;

    /// <summary>Dimension of Auto's implicit-ALS trials, unless <see cref="AlsDimensionFor"/> caps it.</summary>
    internal const int AlsDimension = GraphEmbeddingDefaults.AutoAlsDimension;

    /// <summary>
    /// The implicit-ALS dimension Auto fits on <paramref name="graph"/>: <see cref="AlsDimension"/>, capped by
    /// <see cref="GraphEmbeddingOptions.AutoMaxDimension"/> (a cap on Auto's vectors, so on every algorithm it tries; until
    /// 2026-12-07 it capped the SVD ranks only, and a cap of 64 still gave 128-dimensional ALS vectors) and min(users, items).
    /// </summary>
    private static int AlsDimensionFor(BipartiteGraph graph, GraphEmbeddingOptions o) =>
        Math.Min(Math.Min(AlsDimension, o.AutoMaxDimension), Math.Min(graph.UserCount, graph.ItemCount));

    /// <summary>Regularisations λ tried first (at the smaller unobserved weight): Rendle et al.'s range spans these.</summary>
    internal static readonly double[] AlsRegularizations = [0.0005, 0.005];

    /// <summary>Unobserved weights α0 tried (the second at the best λ only).</summary>
    internal static readonly double[] AlsUnobservedWeights = [0.003, 0.03];

    /// <summary>
    /// Implicit-ALS trials (conjugate-gradient solves, per-iteration validation with early stopping): λ over
    /// <see cref="AlsRegularizations"/> at the first α0, then the other α0 at the best λ.
    /// </summary>
    private static List<AutoTrial> SearchImplicitAls(BipartiteGraph train, GraphEmbeddingOptions o, ValidationScorer scorer, int threads,
        ValidationCurve curve, CancellationToken ct)
    {
        int dimension = AlsDimensionFor(train, o);
        var trials = new List<AutoTrial>();

        AutoTrial Run(double regularization, double unobserved)
        {
            var options = o.Clone();
            options.Algorithm = EmbeddingAlgorithm.ImplicitAls;
            options.Dimension = dimension;
            options.Als.Regularization = regularization;
            options.Als.UnobservedWeight = unobserved;
            options.Als.Solver = ImplicitAlsSolver.ConjugateGradient;
            // A trial needs its best iteration, not proof of it: two iterations without a gain end it.
            options.EarlyStoppingPatience = Math.Min(options.EarlyStoppingPatience, TrialPatience);
            int first = curve.Count;
            string settings = string.Create(CultureInfo.InvariantCulture, $"implicit-als d={dimension} reg={regularization:G3} alpha0={unobserved:G3}");
            GraphEmbeddingResult result;
            int iterations;
            using (curve.NamedBy(p => p with { Candidate = $"{settings} iteration {p.Step}" }))
                (result, iterations) = ImplicitAlsTrainer.Fit(train, options, threads, null, scorer, curve, ct);
            double recall = curve.Skip(first).Max(p => p.Recall);
            var trial = new AutoTrial($"{settings} iterations={iterations}", dimension, recall,
                () => (result.UserEmbeddings, result.ItemEmbeddings),
                f =>
                {
                    f.Algorithm = EmbeddingAlgorithm.ImplicitAls;
                    f.Dimension = dimension;
                    f.Als.Regularization = regularization;
                    f.Als.UnobservedWeight = unobserved;
                    f.Als.Solver = ImplicitAlsSolver.ConjugateGradient;
                    // Trials only rank settings; the vectors that are kept get more conjugate-gradient steps, closer
                    // to the exact row solves.
                    f.Als.CgSteps = Math.Max(o.Als.CgSteps, FinalCgSteps);
                    f.Als.Iterations = iterations;
                });
            trials.Add(trial);
            return trial;
        }

        foreach (double regularization in AlsRegularizations) Run(regularization, AlsUnobservedWeights[0]);
        double bestRegularization = AlsRegularizations[trials.IndexOf(trials.MaxBy(t => t.Recall)!)];
        foreach (double unobserved in AlsUnobservedWeights.Skip(1)) Run(bestRegularization, unobserved);
        return trials;
    }

    /// <summary>Negative-sampling SGD with per-epoch validation: one trial, its best epoch.</summary>
    private static AutoTrial NegativeSampling(BipartiteGraph train, GraphEmbeddingOptions o, ValidationScorer scorer, int threads,
        ValidationCurve curve, CancellationToken ct)
    {
        var options = o.Clone();
        options.Algorithm = EmbeddingAlgorithm.NegativeSampling;
        int first = curve.Count;
        var (result, epoch) = NegativeSamplingTrainer.Fit(train, options, threads, null, scorer, curve, ct);
        double recall = curve.Skip(first).Max(p => p.Recall);
        return new AutoTrial($"negative-sampling d={o.Dimension} epochs={epoch}", o.Dimension, recall,
            () => (result.UserEmbeddings, result.ItemEmbeddings),
            f =>
            {
                f.Algorithm = EmbeddingAlgorithm.NegativeSampling;
                f.Epochs = epoch;
            });
    }
}
