using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Sweeps;

public class SweepRunnerTests
{
    [Fact]
    public void An_empty_search_space_is_refused_by_name()
    {
        var e = Assert.Throws<ArgumentException>(() => SweepRunner.Run(SweepTestData.Graph(), new SweepSearchSpace(), SweepTestData.Options()));
        Assert.Equal("space", e.ParamName);
        Assert.Contains("empty", e.Message);
    }

    /// <summary>
    /// A grid too large to finish is refused before any trial, with its exact size (a space past 2^63 configurations said
    /// 9,223,372,036,854,775,807, where Size saturates), unless a trial or time budget bounds it; other strategies draw from it.
    /// </summary>
    [Fact]
    public void A_grid_too_large_to_finish_is_refused_unless_a_budget_bounds_it()
    {
        var graph = SweepTestData.Graph();
        double[] hundredths = [.. Enumerable.Range(0, 101).Select(i => i / 100.0)];
        var large = new SweepSearchSpace().Add("lambda", hundredths).Add("alpha", Enumerable.Range(1, 10).Select(i => i / 10.0).ToArray()).Add("mmr-lambda", hundredths);
        var e = Assert.Throws<ArgumentException>(() => SweepRunner.Run(graph, large, SweepTestData.Options()));
        Assert.Equal("space", e.ParamName);
        Assert.Equal(100_000, SweepDefaults.MaxUnlimitedGridConfigurations);
        Assert.Contains("The search space has 102,010 configurations (lambda 101 x alpha 10 x mmr-lambda 101), more than the 100,000 a grid runs without a limit",
            e.Message, StringComparison.Ordinal);
        Assert.Contains("MaxTrials", e.Message, StringComparison.Ordinal);

        var huge = new SweepSearchSpace();
        foreach (string name in new[] { "clusters", "kmeans-iterations", "components", "neighbors", "mmr-pool", "items-per-interest", "uniform-negatives", "epochs", "als-iterations", "dimension" })
            huge.Add(name, Enumerable.Range(100, 100).ToArray());
        Assert.Equal(long.MaxValue, huge.Size);
        Assert.Equal(System.Numerics.BigInteger.Pow(100, 10), huge.ExactSize);
        Assert.Equal(102_010, (int)large.ExactSize);
        Assert.Contains("has 100,000,000,000,000,000,000 configurations", Assert.Throws<ArgumentException>(() => SweepRunner.Run(graph, huge, SweepTestData.Options())).Message,
            StringComparison.Ordinal);

        var bounded = SweepTestData.Options();
        bounded.MaxTrials = 2;
        Assert.Equal(2, SweepRunner.Run(graph, large, bounded).Trials.Count);
        var drawn = SweepTestData.Options(SweepStrategy.Random);
        drawn.MaxTrials = 2;
        Assert.Equal(2, SweepRunner.Run(graph, large, drawn).Trials.Count);
    }

    [Fact]
    public void Grid_over_downstream_options_fits_the_embedding_and_clusters_once()
    {
        var outcome = SweepRunner.Run(SweepTestData.Graph(), SweepTestData.LambdaByNeighbors(), SweepTestData.Options());

        // The defaults (lambda 0.5, k 5) are not in the grid: 1 + 5 trials, since at lambda 0 the neighbours are not read
        // and k = 5 and 10 are one configuration.
        Assert.Equal(6, outcome.Trials.Count);
        Assert.Equal(1, outcome.StageFits[SweepStage.Embedding]);
        Assert.Equal(1, outcome.StageFits[SweepStage.Clustering]);
        Assert.Equal(1, outcome.StageFits[SweepStage.Mixture]);
        Assert.Equal(6, outcome.StageFits[SweepStage.Smoothing]);
        Assert.True(outcome.Trials.Skip(1).All(t => t.ReusedStages.Contains(SweepStage.Embedding) && t.ReusedStages.Contains(SweepStage.Clustering)));
        Assert.True(outcome.RefitEverySeconds >= outcome.Trials.Sum(t => t.Seconds));
        Assert.Equal(SweepStopReason.Exhausted, outcome.StopReason);
        Assert.NotNull(outcome.Best);
        Assert.True(outcome.Best!.Objective >= outcome.Defaults!.Objective);
        Assert.Equal(outcome.Trials.Max(t => t.Objective), outcome.Best.Objective);
        AssertPairedWithTheBest(outcome);
    }

    /// <summary>
    /// Every full-fidelity trial is paired with the best over the same validation users: the mean difference is the
    /// difference of the objectives, the best's own is 0 with no spread, and, where another trial scored differently, some
    /// standard error is positive; lower-fidelity trials are not paired.
    /// </summary>
    private static void AssertPairedWithTheBest(SweepOutcome outcome)
    {
        var best = outcome.Best!;
        Assert.Equal(new PairedDifference(0, 0, best.Users), best.VersusBest);
        foreach (var trial in outcome.Trials)
        {
            if (trial.Fidelity < 1)
            {
                Assert.Null(trial.VersusBest);
                continue;
            }
            var gap = trial.VersusBest!.Value;
            Assert.Equal(trial.Users, gap.Users);
            Assert.Equal(trial.Objective - best.Objective, gap.Difference, 1e-12);
            Assert.True(gap.Difference <= 1e-12, $"Trial {trial.Number} is ahead of the best by {gap.Difference}.");
            Assert.True(gap.StandardError >= 0);
        }
        if (outcome.Trials.Any(t => t.Fidelity >= 1 && t.Objective != best.Objective))
            Assert.Contains(outcome.Trials, t => t.VersusBest is { StandardError: > 0 });
    }

    [Fact]
    public void Without_reuse_every_trial_refits_every_stage_and_gives_the_same_figures()
    {
        var reuse = SweepRunner.Run(SweepTestData.Graph(), SweepTestData.LambdaByNeighbors(), SweepTestData.Options());
        var options = SweepTestData.Options();
        options.ReuseStages = false;
        var refit = SweepRunner.Run(SweepTestData.Graph(), SweepTestData.LambdaByNeighbors(), options);

        Assert.Equal(refit.Trials.Count, refit.StageFits[SweepStage.Embedding]);
        Assert.Equal(refit.Trials.Count, refit.StageFits[SweepStage.Clustering]);
        Assert.All(refit.Trials, t => Assert.Empty(t.ReusedStages));
        Assert.Equal(reuse.Trials.Select(t => t.Recall), refit.Trials.Select(t => t.Recall));
        Assert.Equal(reuse.Trials.Select(t => t.Diversity), refit.Trials.Select(t => t.Diversity));
    }

    [Fact]
    public void Changing_an_upstream_option_refits_only_from_that_stage()
    {
        var space = new SweepSearchSpace().Add("clusters", 4, 8).Add("lambda", 0, 0.8);
        var outcome = SweepRunner.Run(SweepTestData.Graph(), space, SweepTestData.Options());
        Assert.Equal(1, outcome.StageFits[SweepStage.Embedding]);
        Assert.Equal(2, outcome.StageFits[SweepStage.Clustering]);
    }

    [Theory]
    [InlineData(SweepStrategy.Grid)]
    [InlineData(SweepStrategy.Random)]
    [InlineData(SweepStrategy.SuccessiveHalving)]
    [InlineData(SweepStrategy.LocalSearch)]
    public void Every_strategy_is_deterministic_per_seed_and_never_repeats_a_trial(SweepStrategy strategy)
    {
        var space = new SweepSearchSpace().Add("components", 2, 3, 5).Add("lambda", 0, 0.4, 0.8).Add("alpha", 0.5, 1.0);
        var options = SweepTestData.Options(strategy);
        options.MaxTrials = 12;
        options.HalvingConfigurations = 9;
        var first = SweepRunner.Run(SweepTestData.Graph(), space, options);
        var second = SweepRunner.Run(SweepTestData.Graph(), space, options);

        Assert.NotEmpty(first.Trials);
        Assert.True(first.Trials.Count <= 12);
        Assert.Equal(Describe(first), Describe(second));
        Assert.Equal(first.Trials.Select(t => t.Objective), second.Trials.Select(t => t.Objective));
        var keys = first.Trials.Select(t => string.Join(";", t.Parameters.Select(p => p.Key + "=" + p.Value)) + "|" + t.Users).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.True(first.Best!.Fidelity >= 1);
    }

    [Fact]
    public void Different_seeds_draw_different_random_trials()
    {
        var space = new SweepSearchSpace().Add("components", 2, 3, 4, 5).Add("lambda", 0, 0.2, 0.4, 0.6, 0.8, 1.0).Add("alpha", 0.5, 1.0);
        var a = SweepTestData.Options(SweepStrategy.Random, seed: 1);
        var b = SweepTestData.Options(SweepStrategy.Random, seed: 2);
        a.MaxTrials = b.MaxTrials = 6;
        a.IncludeDefaults = b.IncludeDefaults = false;
        Assert.NotEqual(Describe(SweepRunner.Run(SweepTestData.Graph(), space, a)), Describe(SweepRunner.Run(SweepTestData.Graph(), space, b)));
    }

    [Fact]
    public void Successive_halving_promotes_the_best_to_more_users()
    {
        var space = new SweepSearchSpace().Add("components", 1, 2, 3).Add("lambda", 0, 0.5, 1.0);
        var options = SweepTestData.Options(SweepStrategy.SuccessiveHalving);
        options.HalvingConfigurations = 9;
        options.IncludeDefaults = false;
        var outcome = SweepRunner.Run(SweepTestData.Graph(), space, options);

        var rungs = outcome.Trials.GroupBy(t => t.Rung).OrderBy(g => g.Key).Select(g => g.ToList()).ToList();
        Assert.Equal([9, 3, 1], rungs.Select(r => r.Count));
        Assert.True(rungs[0][0].Users <= rungs[1][0].Users && rungs[1][0].Users <= rungs[2][0].Users);
        Assert.Equal(1.0, rungs[2][0].Fidelity);
        // Only the last rung scored every validation user, so only it is paired with the best (itself here).
        AssertPairedWithTheBest(outcome);
        // The promoted configurations are the best of the rung below.
        var promoted = rungs[1].Select(t => t.Lambda()).ToHashSet();
        var topOfFirst = rungs[0].OrderByDescending(t => t.Objective).ThenBy(t => t.Number).Take(3).Select(t => t.Lambda());
        Assert.True(promoted.SetEquals(topOfFirst));
        Assert.Same(rungs[2][0], outcome.Best);
    }

    /// <summary>
    /// With its default 27 configurations and no trial budget given, successive halving runs every rung (here, with few validation
    /// users, fewer rungs than 27 + 9 + 3 + 1): a default budget of 30 used to stop it inside the second rung, so only the
    /// defaults reached every user.
    /// </summary>
    [Fact]
    public void Successive_halving_without_a_budget_runs_to_its_last_rung()
    {
        var space = new SweepSearchSpace().Add("components", 1, 2, 3).Add("lambda", 0, 0.5, 1.0).Add("alpha", 0.5, 1.0, 1.5);
        var options = SweepTestData.Options(SweepStrategy.SuccessiveHalving);
        Assert.Equal(0, options.MaxTrials);
        var outcome = SweepRunner.Run(SweepTestData.Graph(), space, options);

        Assert.Equal(SweepStopReason.Exhausted, outcome.StopReason);
        Assert.True(outcome.Trials.Count > SweepDefaults.MaxTrials, $"{outcome.Trials.Count} trials");
        Assert.Equal(SweepDefaults.HalvingConfigurations, outcome.Trials.Count(t => t.Rung == 0 && t != outcome.Defaults));
        Assert.Contains(outcome.Trials, t => t.Fidelity >= 1 && t != outcome.Defaults);
        Assert.Equal(1.0, outcome.Best!.Fidelity);
    }

    /// <summary>
    /// Configurations that differ only in a parameter their method does not read run once: unimodal ignores mmr-lambda, MMR
    /// the smoothing weight; the trials that do read them still differ.
    /// </summary>
    [Fact]
    public void Parameters_a_method_does_not_read_do_not_make_new_trials()
    {
        var space = new SweepSearchSpace().Add(SweepRetrievalMethod.Unimodal, SweepRetrievalMethod.Mmr).Add("mmr-lambda", 0.2, 0.9).Add("lambda", 0, 0.8);
        var options = SweepTestData.Options();
        options.IncludeDefaults = false;
        var outcome = SweepRunner.Run(SweepTestData.Graph(), space, options);

        Assert.Equal(8, space.Size);
        Assert.Equal(3, outcome.Trials.Count);
        Assert.Single(outcome.Trials, t => t.Settings.Method == SweepRetrievalMethod.Unimodal);
        var mmr = outcome.Trials.Where(t => t.Settings.Method == SweepRetrievalMethod.Mmr).ToList();
        Assert.Equal(["0.2", "0.9"], mmr.Select(t => t.Parameters["mmr-lambda"]).Order());
        Assert.NotEqual(mmr[0].Diversity, mmr[1].Diversity);
        // The leaderboard's text shows a value the trial does not read as "-": unimodal's mmr-lambda and lambda, MMR's lambda.
        var rows = LeaderboardFrame.Text(outcome, 10).Split('\n').Where(l => l.Contains("unimodal", StringComparison.Ordinal) || l.Contains("mmr ", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, rows.Count);
        // Columns by stage: lambda (smoothing), then method and mmr-lambda (retrieval).
        Assert.Matches(@" - +unimodal +- ", Assert.Single(rows, r => r.Contains("unimodal", StringComparison.Ordinal)));
        Assert.All(rows.Where(r => r.Contains("mmr ", StringComparison.Ordinal)), r => Assert.Matches(@" - +mmr +0\.[29] ", r));
    }

    /// <summary>
    /// The MMR pool is read by the MMR methods only: unimodal trials differing in it are one (and a forced run of another
    /// pool gives the same figures), MMR trials stay apart.
    /// </summary>
    [Fact]
    public void The_mmr_pool_makes_new_trials_for_mmr_only()
    {
        var options = SweepTestData.Options();
        options.IncludeDefaults = false;
        var outcome = SweepRunner.Run(SweepTestData.Graph(), new SweepSearchSpace().Add(SweepRetrievalMethod.Unimodal, SweepRetrievalMethod.Mmr).Add("mmr-pool", 20, 60), options);
        var unimodal = Assert.Single(outcome.Trials, t => t.Settings.Method == SweepRetrievalMethod.Unimodal);
        Assert.Equal(2, outcome.Trials.Count(t => t.Settings.Method == SweepRetrievalMethod.Mmr));
        var other = SweepRunner.Run(SweepTestData.Graph(), new SweepSearchSpace().Add(SweepRetrievalMethod.Unimodal).Add("mmr-pool", unimodal.Parameters["mmr-pool"] == "20" ? 60 : 20), options);
        Assert.Equal((unimodal.Recall, unimodal.Diversity, unimodal.Ndcg), (other.Trials[0].Recall, other.Trials[0].Diversity, other.Trials[0].Ndcg));
        Assert.Matches(@" unimodal +- ", LeaderboardFrame.Text(outcome, 10).Split('\n').Single(l => l.Contains("unimodal", StringComparison.Ordinal)));
    }

    /// <summary>
    /// An embedding parameter counts only under an algorithm that reads it: ALS's regularisation makes two ALS trials and
    /// one SVD trial (one SVD fit), and the SVD's figures do not move with it.
    /// </summary>
    [Fact]
    public void Embedding_parameters_make_new_trials_only_under_an_algorithm_that_reads_them()
    {
        var options = SweepTestData.Options();
        options.IncludeDefaults = false;
        var space = new SweepSearchSpace().Add(EmbeddingAlgorithm.TruncatedSvd, EmbeddingAlgorithm.ImplicitAls).Add("als-regularization", 0.01, 0.1).Add(SweepRetrievalMethod.Unimodal);
        var outcome = SweepRunner.Run(SweepTestData.Graph(), space, options);
        Assert.Equal(3, outcome.Trials.Count);
        Assert.Equal(3, outcome.StageFits[SweepStage.Embedding]);
        var svd = Assert.Single(outcome.Trials, t => t.Settings.Embedding.Algorithm == EmbeddingAlgorithm.TruncatedSvd);
        var als = outcome.Trials.Where(t => t.Settings.Embedding.Algorithm == EmbeddingAlgorithm.ImplicitAls).ToList();
        Assert.NotEqual(als[0].Recall, als[1].Recall);
        var other = SweepRunner.Run(SweepTestData.Graph(), new SweepSearchSpace().Add(EmbeddingAlgorithm.TruncatedSvd)
            .Add("als-regularization", svd.Parameters["als-regularization"] == "0.01" ? 0.1 : 0.01).Add(SweepRetrievalMethod.Unimodal), options);
        Assert.Equal((svd.Recall, svd.Diversity, svd.Ndcg), (other.Trials[0].Recall, other.Trials[0].Diversity, other.Trials[0].Ndcg));
    }

    /// <summary>Which algorithms read which embedding parameters (Auto: those of its fallback and the ones it does not search).</summary>
    [Theory]
    [InlineData("dimension", EmbeddingAlgorithm.TruncatedSvd, true)]
    [InlineData("epochs", EmbeddingAlgorithm.TruncatedSvd, false)]
    [InlineData("epochs", EmbeddingAlgorithm.ImplicitAls, false)]
    [InlineData("epochs", EmbeddingAlgorithm.Auto, false)]        // its fallback is implicit ALS (since 2026-12-04)
    [InlineData("dimension", EmbeddingAlgorithm.Auto, false)]     // it chooses its own; the fallback's is min(128, users, items)
    [InlineData("als-regularization", EmbeddingAlgorithm.Auto, true)] // the fallback's
    [InlineData("als-regularization", EmbeddingAlgorithm.TruncatedSvd, false)]
    [InlineData("als-iterations", EmbeddingAlgorithm.Auto, true)]
    [InlineData("als-iterations", EmbeddingAlgorithm.NegativeSampling, false)]
    [InlineData("svd-degree-normalization", EmbeddingAlgorithm.Auto, true)]
    [InlineData("svd-degree-smoothing", EmbeddingAlgorithm.Auto, false)]
    [InlineData("svd-degree-smoothing", EmbeddingAlgorithm.ImplicitAls, false)]
    [InlineData("svd-item-degree-exponent", EmbeddingAlgorithm.TruncatedSvd, true)]
    [InlineData("svd-power-iterations", EmbeddingAlgorithm.TruncatedSvd, true)]
    [InlineData("svd-power-iterations", EmbeddingAlgorithm.Auto, true)]          // its screening factorisations
    [InlineData("svd-oversampling", EmbeddingAlgorithm.Auto, true)]
    [InlineData("svd-oversampling", EmbeddingAlgorithm.ImplicitAls, false)]
    [InlineData("learning-rate", EmbeddingAlgorithm.DivideConquer, true)]
    public void An_embedding_parameter_applies_under_the_algorithms_that_read_it(string name, EmbeddingAlgorithm algorithm, bool applies)
    {
        var settings = SweepTestData.BaseSettings();
        settings.Embedding.Algorithm = algorithm;
        settings.Embedding.Initialization = EmbeddingInitialization.Random;
        Assert.Equal(applies, SweepParameterCatalog.Applies(name, settings));
    }

    [Fact]
    public void Auto_with_its_negative_sampling_trial_reads_the_sgd_settings_and_the_dimension()
    {
        var settings = SweepTestData.BaseSettings();
        settings.Embedding.Algorithm = EmbeddingAlgorithm.Auto;
        Assert.False(SweepParameterCatalog.Applies("learning-rate", settings));
        settings.Embedding.AutoIncludesNegativeSampling = true;
        Assert.True(SweepParameterCatalog.Applies("learning-rate", settings));
        Assert.True(SweepParameterCatalog.Applies("dimension", settings));
    }

    [Fact]
    public void Negative_sampling_started_from_the_svd_reads_the_svd_settings()
    {
        var settings = SweepTestData.BaseSettings();
        settings.Embedding.Algorithm = EmbeddingAlgorithm.NegativeSampling;
        settings.Embedding.Initialization = EmbeddingInitialization.Random;
        Assert.False(SweepParameterCatalog.Applies("svd-degree-smoothing", settings));
        settings.Embedding.Initialization = EmbeddingInitialization.TruncatedSvd;
        Assert.True(SweepParameterCatalog.Applies("svd-degree-smoothing", settings));
    }

    /// <summary>
    /// At lambda 0 the mixture is the unsmoothed one whatever the neighbours: the configurations differing only in k are
    /// one trial, and a forced run of the other gives the same figures (so nothing is lost by merging them).
    /// </summary>
    [Fact]
    public void Neighbors_at_lambda_zero_do_not_make_new_trials()
    {
        var options = SweepTestData.Options();
        options.IncludeDefaults = false;
        var outcome = SweepRunner.Run(SweepTestData.Graph(), new SweepSearchSpace().Add("lambda", 0, 0.5).Add("neighbors", 2, 10), options);
        Assert.Single(outcome.Trials, t => t.Parameters["lambda"] == "0");
        Assert.Equal(2, outcome.Trials.Count(t => t.Parameters["lambda"] == "0.5"));
        var zero = outcome.Trials.Single(t => t.Parameters["lambda"] == "0");
        var other = SweepRunner.Run(SweepTestData.Graph(), new SweepSearchSpace().Add("lambda", 0).Add("neighbors", zero.Parameters["neighbors"] == "2" ? 10 : 2), options);
        Assert.Equal((zero.Recall, zero.Diversity, zero.Ndcg), (other.Trials[0].Recall, other.Trials[0].Diversity, other.Trials[0].Ndcg));
    }

    /// <summary>
    /// What the graph cannot give is refused before any trial, naming the parameter: a truncated-SVD dimension above
    /// min(users, items) once ended the sweep at its trial and lost the trials before it. The other algorithms take it.
    /// </summary>
    [Fact]
    public void A_dimension_beyond_the_truncated_svd_is_refused_before_any_trial()
    {
        var graph = SweepTestData.Graph();
        int limit = Math.Min(graph.UserCount, graph.ItemCount);
        var options = SweepTestData.Options();
        var progress = new List<SweepProgress>();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => SweepRunner.Run(graph, new SweepSearchSpace().Add("dimension", 4, limit + 1), options,
            new Inline(progress.Add)));
        Assert.Equal("space", error.ParamName);
        Assert.Contains($"The search space asks for dimension={limit + 1} with the truncated SVD", error.Message, StringComparison.Ordinal);
        Assert.Contains("'dimension'", error.Message, StringComparison.Ordinal);
        Assert.Empty(progress);
        // The base settings' dimension is named as theirs (a caller names its own option for it: the CLI's --dim).
        var baseOptions = SweepTestData.Options();
        baseOptions.BaseSettings!.Embedding.Dimension = limit + 1;
        var baseError = Assert.Throws<ArgumentOutOfRangeException>(() => SweepRunner.Run(graph, SweepTestData.LambdaByNeighbors(), baseOptions));
        Assert.Equal(nameof(SweepOptions.BaseSettings), baseError.ParamName);
        Assert.Contains($"The base settings ask for Dimension {limit + 1} with the truncated SVD", baseError.Message, StringComparison.Ordinal);
        // Implicit ALS has no such limit: the same space runs.
        options.BaseSettings!.Embedding.Algorithm = EmbeddingAlgorithm.ImplicitAls;
        options.BaseSettings.Embedding.Als.Iterations = 1;
        options.IncludeDefaults = false;
        Assert.Equal(2, SweepRunner.Run(graph, new SweepSearchSpace().Add("dimension", 4, limit + 1), options).Trials.Count);
        // A truncated-SVD base whose defaults trial runs its own small dimension does not make the ALS trials' large one
        // an SVD request: svd at 8 (defaults), ALS at 4 and at limit + 1 all run.
        options.BaseSettings.Embedding.Algorithm = EmbeddingAlgorithm.TruncatedSvd;
        options.IncludeDefaults = true;
        var mixed = SweepRunner.Run(graph, new SweepSearchSpace().Add("algorithm", "implicit-als").Add("dimension", 4, limit + 1), options);
        Assert.Equal(3, mixed.Trials.Count);
        Assert.Contains("kmeans-iterations", Assert.Throws<ArgumentException>(() => new SweepSearchSpace().Add("kmeans-iterations", 0)).Message, StringComparison.Ordinal);
    }

    /// <summary>A multi-vector embedding as the base is refused by name: the sweep's methods would rank its single vector.</summary>
    [Theory]
    [InlineData(EmbeddingAlgorithm.MixtureEmbedding, "mixture-embedding")]
    [InlineData(EmbeddingAlgorithm.DifferentiableClustering, "differentiable-clustering")]
    [InlineData(EmbeddingAlgorithm.DivideConquer, "divide-conquer")]
    public void A_multi_vector_base_algorithm_is_refused_by_name(EmbeddingAlgorithm algorithm, string name)
    {
        var options = SweepTestData.Options();
        options.BaseSettings!.Embedding.Algorithm = algorithm;
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => SweepRunner.Run(SweepTestData.Graph(), SweepTestData.LambdaByNeighbors(), options));
        // Named as the option it is (it was the search space's "algorithm" until 2026-12-06).
        Assert.Equal("BaseSettings.Embedding.Algorithm", error.ParamName);
        Assert.StartsWith("BaseSettings.Embedding.Algorithm must be auto", error.Message, StringComparison.Ordinal);
        Assert.Contains($"not {name}:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Local_search_starts_at_the_defaults_and_moves_one_step_at_a_time()
    {
        var space = new SweepSearchSpace().Add("components", 1, 2, 3, 4).Add("lambda", 0, 0.25, 0.5, 0.75, 1.0);
        var options = SweepTestData.Options(SweepStrategy.LocalSearch);
        options.IncludeDefaults = false;
        options.MaxTrials = 6;
        var outcome = SweepRunner.Run(SweepTestData.Graph(), space, options);
        Assert.Equal("3", outcome.Trials[0].Parameters["components"]);
        Assert.Equal("0.5", outcome.Trials[0].Parameters["lambda"]);
        Assert.Equal(6, outcome.Trials.Count);
        Assert.Equal(SweepStopReason.TrialBudget, outcome.StopReason);
    }

    [Fact]
    public void A_cancelled_sweep_stops_after_the_running_trial_and_keeps_the_finished_ones()
    {
        using var cancel = new CancellationTokenSource();
        var progress = new Inline(p => { if (p.Trial?.Number == 2) cancel.Cancel(); });
        var outcome = SweepRunner.Run(SweepTestData.Graph(), SweepTestData.LambdaByNeighbors(), SweepTestData.Options(), progress, cancel.Token);
        Assert.Equal(SweepStopReason.Cancelled, outcome.StopReason);
        Assert.Equal(2, outcome.Trials.Count);

        var before = SweepRunner.Run(SweepTestData.Graph(), SweepTestData.LambdaByNeighbors(), SweepTestData.Options(), null, new CancellationToken(true));
        Assert.Empty(before.Trials);
        Assert.Equal(SweepStopReason.Cancelled, before.StopReason);
    }

    [Fact]
    public void A_cancellation_during_a_fit_stops_it_promptly()
    {
        // Negative sampling for many epochs would take seconds; the token is checked inside the fit.
        var options = SweepTestData.Options();
        options.BaseSettings!.Embedding = new GraphEmbeddingOptions { Algorithm = EmbeddingAlgorithm.NegativeSampling, Dimension = 16, Epochs = 100000, Threads = 1 };
        using var cancel = new CancellationTokenSource();
        // A thread of its own cancels: a CancelAfter timer fires on the thread pool, which the suite's parallel tests can
        // starve for seconds (this test once took 10.2 s in CI that way, against 0.3 s alone).
        var canceller = new Thread(() =>
        {
            Thread.Sleep(300);
            cancel.Cancel();
        }) { IsBackground = true };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        canceller.Start();
        var outcome = SweepRunner.Run(SweepTestData.Graph(), SweepTestData.LambdaByNeighbors(), options, null, cancel.Token);
        canceller.Join();
        Assert.Equal(SweepStopReason.Cancelled, outcome.StopReason);
        Assert.Empty(outcome.Trials);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public void A_grid_whose_other_points_repeat_finished_trials_is_exhausted_not_cut_by_the_trial_budget()
    {
        // Mixture (lambda 0) reads no neighbours: (0, 5) and (0, 10) are one trial, so the 2 x 2 grid holds 3 trials.
        var space = new SweepSearchSpace().Add("lambda", 0, 0.8).Add("neighbors", 5, 10);
        var options = SweepTestData.Options();
        options.IncludeDefaults = false;
        var whole = SweepRunner.Run(SweepTestData.Graph(), space, options);
        Assert.Equal(3, whole.Trials.Count);
        Assert.Equal(SweepStopReason.Exhausted, whole.StopReason);
        options.MaxTrials = 3;
        var budgeted = SweepRunner.Run(SweepTestData.Graph(), space, options);
        Assert.Equal(3, budgeted.Trials.Count);
        Assert.Equal(SweepStopReason.Exhausted, budgeted.StopReason);
        options.MaxTrials = 2;
        var cut = SweepRunner.Run(SweepTestData.Graph(), space, options);
        Assert.Equal(2, cut.Trials.Count);
        Assert.Equal(SweepStopReason.TrialBudget, cut.StopReason);
    }

    [Fact]
    public void Budgets_are_respected()
    {
        var options = SweepTestData.Options();
        options.MaxTrials = 3;
        var trials = SweepRunner.Run(SweepTestData.Graph(), SweepTestData.LambdaByNeighbors(), options);
        Assert.Equal(3, trials.Trials.Count);
        Assert.Equal(SweepStopReason.TrialBudget, trials.StopReason);

        // The first trial (the defaults, one epoch) always runs; the next (100,000 epochs) either does not start, the budget
        // being spent, or is stopped at the deadline and discarded: either way one trial, in far less than the slow one's time.
        var slow = SweepTestData.Options();
        slow.BaseSettings!.Embedding = new GraphEmbeddingOptions { Algorithm = EmbeddingAlgorithm.NegativeSampling, Dimension = 16, Epochs = 1, Threads = 1 };
        slow.TimeBudget = TimeSpan.FromMilliseconds(300);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var timed = SweepRunner.Run(SweepTestData.Graph(), new SweepSearchSpace().Add("epochs", 1, 100000), slow);
        Assert.Equal(SweepStopReason.TimeBudget, timed.StopReason);
        Assert.True(Assert.Single(timed.Trials).IsDefaults);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    /// <summary>
    /// A budget shorter than one trial (here one tick, spent before any trial) runs the first trial to its end and starts no
    /// other, whatever the machine's speed: the sweep always has a best to refit (it stopped the first trial at the deadline,
    /// and ended with nothing to save).
    /// </summary>
    [Theory]
    [InlineData(SweepStrategy.Grid, true)]
    [InlineData(SweepStrategy.Random, false)]
    [InlineData(SweepStrategy.LocalSearch, true)]
    public void A_budget_shorter_than_one_trial_runs_the_first_trial_and_starts_no_other(SweepStrategy strategy, bool includeDefaults)
    {
        var options = SweepTestData.Options(strategy);
        options.IncludeDefaults = includeDefaults;
        options.TimeBudget = TimeSpan.FromTicks(1);
        var outcome = SweepRunner.Run(SweepTestData.Graph(), SweepTestData.LambdaByNeighbors(), options);
        Assert.Equal(SweepStopReason.TimeBudget, outcome.StopReason);
        var only = Assert.Single(outcome.Trials);
        Assert.Equal(includeDefaults, only.IsDefaults);
        Assert.Same(only, outcome.Best);
        Assert.Equal(1, only.Fidelity);
    }

    [Fact]
    public void The_pareto_front_holds_the_undominated_trials()
    {
        var options = SweepTestData.Options();
        options.Metric = SweepMetric.RecallDiversity;
        var outcome = SweepRunner.Run(SweepTestData.Graph(), SweepTestData.LambdaByNeighbors(), options);
        Assert.NotEmpty(outcome.ParetoFront);
        const double tie = 1e-9;
        foreach (var t in outcome.Trials)
        {
            bool dominated = outcome.Trials.Any(o => o.Recall >= t.Recall - tie && o.Diversity >= t.Diversity - tie && (o.Recall > t.Recall + tie || o.Diversity > t.Diversity + tie));
            Assert.Equal(!dominated, t.OnParetoFront);
        }
        Assert.All(outcome.Trials, t => Assert.Equal(0.5 * t.Recall + 0.5 * t.Diversity, t.Objective, 12));
        // The blend is paired user by user too (each user's own blend of its Recall and Diversity).
        AssertPairedWithTheBest(outcome);
    }

    /// <summary>
    /// Two trials whose figures differ in the last digits (the same lists averaged in another order) are equal on the front:
    /// neither pushes the other off, as the defaults once were by 1e-16 of diversity.
    /// </summary>
    [Fact]
    public void Figures_equal_but_for_rounding_do_not_push_a_trial_off_the_front()
    {
        SweepTrial Trial(int number, double recall, double diversity) => new()
        {
            Number = number, Parameters = new Dictionary<string, string>(), Settings = new SweepSettings(), ReusedStages = [], Recall = recall, Diversity = diversity,
        };
        var trials = new[] { Trial(1, 0.5, 0.94277660338954616), Trial(2, 0.5, 0.94277660338954627), Trial(3, 0.4, 0.9), Trial(4, 0.45, 0.95) };
        var front = ParetoFront.Mark(trials);
        Assert.Equal([1, 2, 4], front.Select(t => t.Number).Order());
        Assert.False(trials[2].OnParetoFront);
    }

    [Fact]
    public void Unimodal_trials_skip_clustering()
    {
        var space = new SweepSearchSpace().Add(SweepRetrievalMethod.Unimodal, SweepRetrievalMethod.KnnEmbed);
        var options = SweepTestData.Options();
        options.IncludeDefaults = false;
        var outcome = SweepRunner.Run(SweepTestData.Graph(), space, options);
        Assert.Equal(2, outcome.Trials.Count);
        Assert.Equal(1, outcome.StageFits[SweepStage.Clustering]);
        Assert.Equal(1, outcome.StageFits[SweepStage.Embedding]);
    }

    [Fact]
    public void Mmr_methods_sweep_their_lambda_without_clusters_and_mmr_at_lambda_1_is_unimodal()
    {
        var space = new SweepSearchSpace().Add(SweepRetrievalMethod.Unimodal, SweepRetrievalMethod.Mmr, SweepRetrievalMethod.HistoryMmr).Add("mmr-lambda", 0.5, 1.0);
        var options = SweepTestData.Options();
        options.IncludeDefaults = false;
        var outcome = SweepRunner.Run(SweepTestData.Graph(), space, options);
        // Unimodal ignores lambda, so its two configurations are one trial.
        Assert.Equal(5, outcome.Trials.Count);
        Assert.Equal(1, outcome.StageFits[SweepStage.Embedding]);
        Assert.Equal(0, outcome.StageFits[SweepStage.Clustering]);
        SweepTrial Trial(string method, string lambda) => outcome.Trials.Single(t => t.Parameters["method"] == method && t.Parameters["mmr-lambda"] == lambda);
        var unimodal = outcome.Trials.Single(t => t.Parameters["method"] == "unimodal");

        // MMR at lambda 1 keeps the unimodal order; lower lambda spreads the list.
        Assert.Equal(unimodal.Recall, Trial("mmr", "1").Recall);
        Assert.Equal(unimodal.Diversity, Trial("mmr", "1").Diversity);
        Assert.True(Trial("mmr", "0.5").Diversity > Trial("mmr", "1").Diversity);
        // History interests change the lists (their vectors widen the pool), and the term spreads them further at lower lambda.
        Assert.True(Trial("history-mmr", "0.5").Diversity > Trial("history-mmr", "1").Diversity);
        Assert.All(outcome.Trials, t => Assert.InRange(t.Recall, 0, 1));
    }

    [Fact]
    public void A_pool_of_K_only_re_orders_each_methods_own_top_K_and_a_wider_pool_spreads_it()
    {
        var space = new SweepSearchSpace().Add(SweepRetrievalMethod.Unimodal, SweepRetrievalMethod.Mmr, SweepRetrievalMethod.HistoryMmr)
            .Add("mmr-lambda", 0.3, 1.0).Add("mmr-pool", 10, 100);
        var options = SweepTestData.Options(); // K = 10
        options.IncludeDefaults = false;
        var outcome = SweepRunner.Run(SweepTestData.Graph(), space, options);
        SweepTrial Trial(string method, string lambda, string pool) =>
            outcome.Trials.Single(t => t.Parameters["method"] == method && t.Parameters["mmr-lambda"] == lambda && t.Parameters["mmr-pool"] == pool);

        // With a pool of K the lambda only re-orders the K items the trial scores: recall and diversity at K are those of
        // lambda 1 (for MMR, Unimodal's); a wider pool swaps items in and spreads the list.
        // Unimodal ignores lambda: one trial per pool.
        var unimodal = outcome.Trials.Single(t => t.Parameters["method"] == "unimodal" && t.Parameters["mmr-pool"] == "10");
        Assert.Equal(unimodal.Recall, Trial("mmr", "0.3", "10").Recall, 12);
        Assert.Equal(unimodal.Diversity, Trial("mmr", "0.3", "10").Diversity, 9);
        Assert.Equal(Trial("history-mmr", "1", "10").Recall, Trial("history-mmr", "0.3", "10").Recall, 12);
        Assert.Equal(Trial("history-mmr", "1", "10").Diversity, Trial("history-mmr", "0.3", "10").Diversity, 9);
        Assert.True(Trial("mmr", "0.3", "100").Diversity > Trial("mmr", "0.3", "10").Diversity);
        Assert.Equal(1, outcome.StageFits[SweepStage.Embedding]);
    }

    /// <summary>
    /// An MMR pool beyond the catalogue holds the catalogue, as the refitted stage serves it: the same figures as a pool of
    /// every item (found by a review of sweeps: mmr-pool=100000000 failed after the defaults trial, with a message about a
    /// 'candidates' of 1..1,048,576 that named no parameter of the space). Both in one space would be one trial under two
    /// names, which is refused since 1.16.0.
    /// </summary>
    [Fact]
    public void An_mmr_pool_beyond_the_catalogue_scores_as_the_whole_catalogue()
    {
        var graph = SweepTestData.Graph();
        SweepOutcome Run(int pool) => SweepRunner.Run(graph, new SweepSearchSpace().Add(SweepRetrievalMethod.Mmr, SweepRetrievalMethod.HistoryMmr).Add("mmr-lambda", 0.3)
            .Add("mmr-pool", pool), SweepTestData.Options());
        var (all, beyond) = (Run(graph.ItemCount), Run(100_000_000));
        foreach (string method in new[] { "mmr", "history-mmr" })
        {
            var whole = all.Trials.Single(t => !t.IsDefaults && t.Parameters["method"] == method);
            var huge = beyond.Trials.Single(t => !t.IsDefaults && t.Parameters["method"] == method);
            Assert.Equal("100000000", huge.Parameters["mmr-pool"]);
            Assert.Equal((whole.Recall, whole.Ndcg, whole.Diversity), (huge.Recall, huge.Ndcg, huge.Diversity));
        }
        var both = Assert.Throws<ArgumentOutOfRangeException>(() => SweepRunner.Run(graph, new SweepSearchSpace().Add(SweepRetrievalMethod.Mmr)
            .Add("mmr-pool", graph.ItemCount, 100_000_000), SweepTestData.Options()));
        Assert.Contains($"mmr-pool values {graph.ItemCount}, 100000000 are all at or above the {graph.ItemCount} items", both.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mmr_settings_are_validated_naming_the_parameter()
    {
        Assert.Contains("mmr-lambda", Assert.Throws<ArgumentException>(() => new SweepSearchSpace().Add("mmr-lambda", 1.5)).Message, StringComparison.Ordinal);
        Assert.Contains("max-interests", Assert.Throws<ArgumentException>(() => new SweepSearchSpace().Add("max-interests", 0)).Message, StringComparison.Ordinal);
        Assert.Contains("interest-weight", Assert.Throws<ArgumentException>(() => new SweepSearchSpace().Add("interest-weight", -1)).Message, StringComparison.Ordinal);
        Assert.Contains("mmr-pool", Assert.Throws<ArgumentException>(() => new SweepSearchSpace().Add("mmr-pool", 0)).Message, StringComparison.Ordinal);
        Assert.Equal(HistoryInterestDefaults.MmrLambda, new SweepSettings { Method = SweepRetrievalMethod.HistoryMmr }.ResolvedMmrLambda);
        Assert.Equal(MmrRetrieverDefaults.Lambda, new SweepSettings { Method = SweepRetrievalMethod.Mmr }.ResolvedMmrLambda);
    }

    [Fact]
    public void Progress_reports_every_stage_fit_and_every_trial()
    {
        var reports = new List<SweepProgress>();
        var outcome = SweepRunner.Run(SweepTestData.Graph(), SweepTestData.LambdaByNeighbors(), SweepTestData.Options(), new Inline(reports.Add));
        Assert.Single(reports, r => r.Message.StartsWith("embedding fitted", StringComparison.Ordinal));
        Assert.Single(reports, r => r.Message.StartsWith("clusters fitted", StringComparison.Ordinal));
        var trialReports = reports.Where(r => r.Trial != null).ToList();
        Assert.Equal(Enumerable.Range(1, outcome.Trials.Count), trialReports.Select(r => r.TrialsDone));
        Assert.Same(outcome.Best, trialReports[^1].Best);
    }

    private static string Describe(SweepOutcome o) => string.Join("\n", o.Trials.Select(t => string.Join(";", t.Parameters.Select(p => p.Key + "=" + p.Value)) + "|" + t.Users));

    private sealed class Inline(Action<SweepProgress> report) : IProgress<SweepProgress>
    {
        public void Report(SweepProgress value) => report(value);
    }
}

internal static class TrialExtensions
{
    public static string Lambda(this SweepTrial t) => t.Parameters["components"] + "/" + t.Parameters["lambda"];
}
