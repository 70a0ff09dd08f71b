using System.Globalization;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Embedding;

public class EmbeddingAlgorithmTests
{
    private static GraphEmbeddingOptions Svd(int dimension, int threads = 1) => new()
    {
        Algorithm = EmbeddingAlgorithm.TruncatedSvd, Dimension = dimension, Threads = threads, Seed = 3,
    };

    [Fact]
    public void TruncatedSvd_PureSvdSettings_ReproduceTheRankKApproximation()
    {
        // a = 0, γ = 1, c = 0: dot(user, item) = (U Σ Vᵀ)[u, i], the best rank-k approximation of R.
        var graph = PlantedGraph.Create().Train;
        // Rank 4 = the planted communities, followed by a gap, so the rank-k approximation is well defined.
        const int rank = PlantedGraph.Groups;
        var o = Svd(rank);
        o.Svd = new TruncatedSvdOptions { DegreeNormalization = 0, SpectralExponent = 1, ItemDegreeExponent = 0, PowerIterations = 6 };
        var result = GraphEmbeddingTrainerEngine.Fit(graph, o);
        var exact = SparseMatrix.FromGraph(graph);
        var dense = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(graph.UserCount, graph.ItemCount);
        for (int u = 0; u < graph.UserCount; u++) foreach (int i in graph.ItemsOf(u)) dense[u, i] = 1;
        var svd = dense.Svd();
        var best = svd.U.SubMatrix(0, graph.UserCount, 0, rank) * MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfDiagonalArray(svd.S.Take(rank).ToArray())
            * svd.VT.SubMatrix(0, rank, 0, graph.ItemCount);
        for (int u = 0; u < graph.UserCount; u += 7)
            for (int i = 0; i < graph.ItemCount; i += 5)
                Assert.Equal(best[u, i], VectorMath.Dot(result.UserEmbeddings.ReadRow(u), result.ItemEmbeddings.ReadRow(i)), 1e-3);
        Assert.Equal(EmbeddingAlgorithm.TruncatedSvd, result.Algorithm);
        Assert.Equal(exact.NonZeros, graph.EdgeCount);
    }

    [Fact]
    public void TruncatedSvd_IsDeterministicPerSeed_AndIndependentOfThreads()
    {
        var graph = PlantedGraph.Create().Train;
        var one = GraphEmbeddingTrainerEngine.Fit(graph, Svd(12, threads: 1));
        var two = GraphEmbeddingTrainerEngine.Fit(graph, Svd(12, threads: 2));
        Assert.Equal(one.UserEmbeddings.Values, two.UserEmbeddings.Values);
        Assert.Equal(one.ItemEmbeddings.Values, two.ItemEmbeddings.Values);
    }

    [Fact]
    public void TruncatedSvd_RecoversPlantedCommunities()
    {
        var planted = PlantedGraph.Create();
        var result = GraphEmbeddingTrainerEngine.Fit(planted.Train, Svd(PlantedGraph.Groups));
        int hits = 0;
        foreach (var (user, item) in planted.HeldOut)
        {
            // The held-out in-community item must outscore a random item of another community.
            int other = (item + PlantedGraph.ItemsPerGroup) % planted.Train.ItemCount;
            float s1 = VectorMath.Dot(result.UserEmbeddings.ReadRow(user), result.ItemEmbeddings.ReadRow(item));
            float s2 = VectorMath.Dot(result.UserEmbeddings.ReadRow(user), result.ItemEmbeddings.ReadRow(other));
            if (s1 > s2) hits++;
        }
        Assert.True(hits > 0.95 * planted.HeldOut.Count, $"{hits} of {planted.HeldOut.Count}");
    }

    [Fact]
    public void DimensionAboveTheSmallerSide_IsRejectedNamingDimension()
    {
        var graph = PlantedGraph.Create().Train;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => GraphEmbeddingTrainerEngine.Fit(graph, Svd(graph.ItemCount + 1)));
        Assert.Equal("Dimension", e.ParamName);
        Assert.Contains("min(users, items)", e.Message);
    }

    [Theory]
    [InlineData("DegreeSmoothing")]
    [InlineData("DegreeNormalization")]
    [InlineData("Oversampling")]
    public void BadSvdOptions_AreNamed(string option)
    {
        var o = Svd(4);
        switch (option)
        {
            case "DegreeSmoothing": o.Svd.DegreeSmoothing = -1; break;
            case "DegreeNormalization": o.Svd.DegreeNormalization = double.NaN; break;
            default: o.Svd.Oversampling = -2; break;
        }
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => o.Validate());
        Assert.Equal(option, e.ParamName);
    }

    [Fact]
    public void BadValidationFraction_IsNamed()
    {
        var o = new GraphEmbeddingOptions { ValidationFraction = 1.5 };
        Assert.Equal("ValidationFraction", Assert.Throws<ArgumentOutOfRangeException>(() => o.Validate()).ParamName);
    }

    [Fact]
    public void ValidationSplit_FollowsTheProtocolRule()
    {
        var graph = PlantedGraph.Create().Train;
        var split = ValidationSplit.Create(graph, 0.2, seed: 5);
        Assert.Equal(graph.EdgeCount, split.Train.EdgeCount + split.Validation.EdgeCount);
        var trainDegrees = split.Train.ItemDegrees();
        for (int u = 0; u < graph.UserCount; u++)
        {
            foreach (int i in split.Validation.ItemsOf(u))
            {
                Assert.True(graph.Contains(u, i));
                Assert.False(split.Train.Contains(u, i));
                Assert.True(trainDegrees[i] > 0);
            }
            // At most ceil(20%) held out; exactly that many unless an edge went back to keep an item trained.
            Assert.True(split.Validation.DegreeOf(u) <= (int)Math.Ceiling(0.2 * graph.DegreeOf(u)));
        }
        var again = ValidationSplit.Create(graph, 0.2, seed: 5);
        Assert.Equal(split.Validation.EdgeItems.ToArray(), again.Validation.EdgeItems.ToArray());
    }

    [Theory]
    [InlineData(0.2)]
    [InlineData(0.5)]
    [InlineData(2.0 / 3)]
    [InlineData(0.95)]
    public void ValidationSplit_KeepsEveryUserATrainingEdge(double fraction)
    {
        // Users of degree 3 to 8 over 8 items, and users of degree 2 (too few to hold any out) keeping every item trained, so
        // no held-out edge goes back: each user holds out exactly the rule's count. Until 2026-12-06 nothing capped it, and
        // 0.95 took every edge of each user.
        var users = new List<int>();
        var items = new List<int>();
        for (int u = 0; u < 6; u++)
            for (int i = 0; i < u + 3; i++) { users.Add(u); items.Add(i); }
        for (int u = 6; u < 10; u++)
            for (int i = 0; i < 8; i++) { users.Add(u); items.Add(i); }
        for (int u = 10; u < 14; u++)
            for (int i = 2 * (u - 10); i < 2 * (u - 10) + 2; i++) { users.Add(u); items.Add(i); }
        var graph = BipartiteGraph.FromEdges(14, 8, users.ToArray(), items.ToArray());
        var split = ValidationSplit.Create(graph, fraction, seed: 5);
        for (int u = 0; u < graph.UserCount; u++)
        {
            int degree = graph.DegreeOf(u);
            if (degree < ValidationSplit.MinimumUserEdges) continue;
            // Up to 2/3 the cap never binds, so the count (and so the seeded draw) is the uncapped rule's.
            int expected = Math.Min(degree - 1, (int)Math.Ceiling(fraction * degree - 1e-9));
            if (fraction <= 2.0 / 3) Assert.Equal((int)Math.Ceiling(fraction * degree - 1e-9), expected);
            Assert.Equal(expected, split.Validation.DegreeOf(u));
            Assert.True(split.Train.DegreeOf(u) >= 1);
        }
    }

    [Fact]
    public void EarlyStopping_ReturnsTheBestEpochsTables()
    {
        var graph = PlantedGraph.Create().Train;
        var split = ValidationSplit.Create(graph, 0.2, seed: 1);
        var scorer = new ValidationScorer(split, cutoff: 10, maxUsers: 0, seed: 1);
        var o = new GraphEmbeddingOptions { Algorithm = EmbeddingAlgorithm.NegativeSampling, Dimension = 8, Epochs = 12, Threads = 1, EarlyStoppingPatience = 0, LearningRate = 0.2f };
        var curve = new ValidationCurve();
        var (result, epoch) = NegativeSamplingTrainer.Fit(split.Train, o, 1, null, scorer, curve, default);
        Assert.Equal(12, curve.Count);
        var best = curve.MaxBy(p => p.Recall)!;
        Assert.Equal(best.Step, epoch);
        Assert.Equal(best.Recall, scorer.Score(result.UserEmbeddings, result.ItemEmbeddings, 1).Recall);
    }

    [Fact]
    public void Auto_WithoutSgd_GivesTheSameResultForAnyThreadCount()
    {
        // What GraphEmbeddingOptions.Threads and --threads now say (they said only one thread gave bit-identical runs): Auto's
        // trials (SVD, ALS), its validation sample and its final fit do not depend on the thread count.
        var graph = PlantedGraph.Create().Train;
        GraphEmbeddingResult Fit(int threads) => GraphEmbeddingTrainerEngine.Fit(graph, new GraphEmbeddingOptions { Threads = threads, AutoMaxDimension = 32 });
        var one = Fit(1);
        var two = Fit(2);
        Assert.Equal(one.Settings, two.Settings);
        Assert.Equal(one.Validation.Select(p => (p.Candidate, p.Recall)), two.Validation.Select(p => (p.Candidate, p.Recall)));
        Assert.Equal(one.UserEmbeddings.Values, two.UserEmbeddings.Values);
        Assert.Equal(one.ItemEmbeddings.Values, two.ItemEmbeddings.Values);
    }

    [Fact]
    public void Auto_ChoosesOnValidation_AndIsDeterministicWithOneThread()
    {
        var graph = PlantedGraph.Create().Train;
        var o = new GraphEmbeddingOptions { Dimension = 8, Epochs = 4, Threads = 1, AutoMaxDimension = 32 };
        var first = GraphEmbeddingTrainerEngine.Fit(graph, o);
        var second = GraphEmbeddingTrainerEngine.Fit(graph, o);
        Assert.NotEmpty(first.Validation);
        Assert.Contains(first.Validation, p => p.Candidate.StartsWith("truncated-svd", StringComparison.Ordinal));
        Assert.Contains(first.Validation, p => p.Candidate.StartsWith("implicit-als", StringComparison.Ordinal));
        Assert.DoesNotContain(first.Validation, p => p.Candidate.StartsWith("negative-sampling", StringComparison.Ordinal));
        Assert.Equal(first.Settings, second.Settings);
        Assert.Equal(first.UserEmbeddings.Values, second.UserEmbeddings.Values);
        Assert.NotEqual(EmbeddingAlgorithm.Auto, first.Algorithm);
        // The winner is within the tolerance of the best screening figure, with the smallest dimension among those.
        double best = first.Validation.Max(p => p.Recall);
        Assert.Contains(first.Validation, p => p.Candidate.Contains(first.Settings.Split(' ')[0], StringComparison.Ordinal)
            && p.Recall >= (1 - 3 * o.AutoTolerance) * best);
    }

    [Fact]
    public void Auto_AtAnEdgeOfTheRanksItMeasured_IsNoted()
    {
        GraphEmbeddingResult Fitted(EmbeddingAlgorithm algorithm, int d, params int[] measured) =>
            new(new EmbeddingMatrix(3, d), new EmbeddingMatrix(4, d), [])
            {
                Algorithm = algorithm,
                Validation = measured.Select((m, i) => new ValidationPoint($"trial {i}", i + 1, 0.1, 0.1) { Dimension = m }).ToArray(),
            };
        var auto = new GraphEmbeddingOptions { AutoMaxDimension = 32 };
        string? note = global::MultiInterest.Cli.ValidationSummary.RankEdgeNote(Fitted(EmbeddingAlgorithm.TruncatedSvd, 32), auto);
        Assert.NotNull(note);
        Assert.Contains("Auto kept the largest rank it may try, --auto-max-dim 32", note, StringComparison.Ordinal);
        // ALS fitted at a cap below its usual 128 is said too; below the cap, ALS at a cap of 128 or more (it does not climb),
        // or an SVD asked for by name: nothing to say.
        Assert.Contains("implicit-ALS vectors have --auto-max-dim 32 dimensions, below the 128",
            global::MultiInterest.Cli.ValidationSummary.RankEdgeNote(Fitted(EmbeddingAlgorithm.ImplicitAls, 32), auto), StringComparison.Ordinal);
        Assert.Null(global::MultiInterest.Cli.ValidationSummary.RankEdgeNote(Fitted(EmbeddingAlgorithm.TruncatedSvd, 16), auto));
        Assert.Null(global::MultiInterest.Cli.ValidationSummary.RankEdgeNote(Fitted(EmbeddingAlgorithm.ImplicitAls, 128), new GraphEmbeddingOptions { AutoMaxDimension = 128 }));
        // At the other edge: an SVD at the smallest rank measured (TikTok, JODIE's Wikipedia: 32), but not one above it.
        var wide = new GraphEmbeddingOptions();
        Assert.Contains("Auto kept the smallest rank it measured, d = 32, so smaller vectors were not tried; --algorithm truncated-svd --dim 16",
            global::MultiInterest.Cli.ValidationSummary.RankEdgeNote(Fitted(EmbeddingAlgorithm.TruncatedSvd, 32, 128, 32, 64, 128), wide), StringComparison.Ordinal);
        Assert.Null(global::MultiInterest.Cli.ValidationSummary.RankEdgeNote(Fitted(EmbeddingAlgorithm.TruncatedSvd, 64, 128, 32, 64, 128), wide));
        Assert.Null(global::MultiInterest.Cli.ValidationSummary.RankEdgeNote(Fitted(EmbeddingAlgorithm.TruncatedSvd, 32, 16, 32, 128), wide));
        // Every Auto fit records its points' dimensions, so the note can tell.
        var fitted = GraphEmbeddingTrainerEngine.Fit(PlantedGraph.Create().Train, new GraphEmbeddingOptions { Threads = 1, AutoMaxDimension = 32 });
        Assert.All(fitted.Validation, p => Assert.True(p.Dimension > 0, p.Candidate));
        var named = new GraphEmbeddingOptions { Algorithm = EmbeddingAlgorithm.TruncatedSvd, AutoMaxDimension = 32 };
        Assert.Null(global::MultiInterest.Cli.ValidationSummary.RankEdgeNote(Fitted(EmbeddingAlgorithm.TruncatedSvd, 32), named));
    }

    [Fact]
    public void Auto_ConfirmsItsLeadersOnMoreUsers_WhenTheScreeningSampleHoldsFewerThanTheValidationUsers()
    {
        // 160 users, every one holding edges out. A screening sample of 40 leaves 120 unscored, so the leaders are measured
        // again on all 160. Until 1.16.0 four times the sample (160) was compared with the graph's users (160), not the
        // validation users, and the 40 decided alone on every graph of up to 4 x ValidationUsers users.
        var graph = PlantedGraph.Create().Train;
        var sampled = GraphEmbeddingTrainerEngine.Fit(graph, new GraphEmbeddingOptions { Threads = 1, AutoMaxDimension = 32, ValidationUsers = 40 });
        var confirmed = sampled.Validation.Where(p => p.Candidate.StartsWith("confirm ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(confirmed);
        // The points say which sample they were measured on, and the command line's summary says the two bests apart.
        Assert.Equal(confirmed, sampled.Validation.Where(p => p.Confirmation));
        string line = global::MultiInterest.Cli.ValidationSummary.Line(sampled, 20, 0.01);
        var screeningBest = sampled.Validation.Where(p => !p.Confirmation).MaxBy(p => p.Recall)!;
        var confirmedBest = confirmed.MaxBy(p => p.Recall)!;
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"best Recall@20 {screeningBest.Recall:F4} on the screening sample ({screeningBest.Candidate})"), line);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"measured again on a larger sample: best {confirmedBest.Recall:F4} ({confirmedBest.Candidate}), and Auto keeps the smallest vectors within 1% of it"), line);
        // A screening of every validation user has nothing to confirm on more.
        var whole = GraphEmbeddingTrainerEngine.Fit(graph, new GraphEmbeddingOptions { Threads = 1, AutoMaxDimension = 32, ValidationUsers = 0 });
        Assert.DoesNotContain(whole.Validation, p => p.Candidate.StartsWith("confirm ", StringComparison.Ordinal) || p.Confirmation);
        Assert.DoesNotContain("screening", global::MultiInterest.Cli.ValidationSummary.Line(whole, 20, 0.01));
    }

    [Fact]
    public void Auto_WithNothingToHoldOut_FallsBackToImplicitAlsAtItsDefaults_AndSaysSo()
    {
        // Two edges per user: no user can hand any to a hold-out, so Auto has nothing to choose on (the log and metrics.json
        // used to show an empty algorithm and settings here; negative sampling, the fallback until 2026-12-04, was the
        // weakest algorithm on every graph tried).
        var graph = BipartiteGraph.FromEdges(12, 6, Enumerable.Range(0, 12).SelectMany(u => new[] { u, u }).ToArray(),
            Enumerable.Range(0, 12).SelectMany(u => new[] { u % 6, (u + 1) % 6 }).ToArray());
        var result = GraphEmbeddingTrainerEngine.Fit(graph, new GraphEmbeddingOptions { Dimension = 4, Epochs = 2, Threads = 1 });
        Assert.Equal(EmbeddingAlgorithm.ImplicitAls, result.Algorithm);
        Assert.StartsWith("implicit-als d=6 ", result.Settings, StringComparison.Ordinal); // Auto's ALS dimension, capped by the 6 items
        Assert.Contains($"reg={ImplicitAlsDefaults.Regularization.ToString(System.Globalization.CultureInfo.InvariantCulture)}", result.Settings, StringComparison.Ordinal);
        Assert.Contains("Auto's fallback: no user has the 3 training edges a validation hold-out needs", result.Settings, StringComparison.Ordinal);
        Assert.Empty(result.Validation);
        Assert.Null(result.ChosenOptions); // nothing was chosen: the history row keeps its default lambda, saying why
    }

    [Fact]
    public void Auto_OnAGraphNoWiderThanTheScreeningRank_TriesRanksBelowTheFullOne()
    {
        // 40 items: the screening factorisation is the full one, whose full rank reproduces the training edges. Its
        // prefixes (8, 16, 32) are tried too, where only the full rank was before.
        var (_, _, graph, _) = TestGraphs.TwoInterestUsers(groups: 4, itemsPerGroup: 10, users: 60, itemsPerUserPerGroup: 4, seed: 2);
        var result = GraphEmbeddingTrainerEngine.Fit(graph, new GraphEmbeddingOptions { Threads = 1 });
        var svdRanks = result.Validation.Select(p => p.Candidate).Where(c => c.StartsWith("truncated-svd d=", StringComparison.Ordinal))
            .Select(c => int.Parse(c["truncated-svd d=".Length..c.IndexOf(' ', "truncated-svd d=".Length)], System.Globalization.CultureInfo.InvariantCulture))
            .ToHashSet();
        Assert.Superset(new HashSet<int> { 8, 16, 32, 40 }, svdRanks);
    }

    /// <summary>
    /// A review found the small-graph ranks tried on any graph whenever AutoMaxDimension was at most the screening rank. On a
    /// wider graph so capped, the largest allowed rank's prefixes at the ladder's ranks are tried, as a climb tries them.
    /// </summary>
    [Fact]
    public void Auto_CappedAtTheScreeningRank_OnAWiderGraph_TriesTheLaddersRanksBelowTheCap()
    {
        var (_, _, graph, _) = TestGraphs.TwoInterestUsers(groups: 10, itemsPerGroup: 20, users: 300, itemsPerUserPerGroup: 5, seed: 3);
        Assert.True(Math.Min(graph.UserCount, graph.ItemCount) > SpectralSearch.ScreeningRank);
        var result = GraphEmbeddingTrainerEngine.Fit(graph, new GraphEmbeddingOptions { Threads = 1, AutoMaxDimension = 64 });
        var svdRanks = result.Validation.Select(p => p.Candidate).Where(c => c.StartsWith("truncated-svd d=", StringComparison.Ordinal))
            .Select(c => int.Parse(c["truncated-svd d=".Length..c.IndexOf(' ', "truncated-svd d=".Length)], System.Globalization.CultureInfo.InvariantCulture))
            .ToHashSet();
        Assert.Equal(new HashSet<int> { 32, 64 }, svdRanks);
    }

    /// <summary>The settings text (metrics.json, logs, the validation curve) reads alike in every culture: "reg=0,005" under de-DE before.</summary>
    [Fact]
    public void Settings_text_is_the_same_in_every_culture()
    {
        var (_, _, graph, _) = TestGraphs.TwoInterestUsers(groups: 4, itemsPerGroup: 10, users: 60, itemsPerUserPerGroup: 4, seed: 2);
        string Fit()
        {
            var result = GraphEmbeddingTrainerEngine.Fit(graph, new GraphEmbeddingOptions { Threads = 1 });
            return result.Settings + "|" + string.Join("|", result.Validation.Select(p => p.Candidate));
        }
        string invariant = Fit();
        var culture = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            Assert.Equal(invariant, Fit());
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = culture;
        }
        Assert.DoesNotContain(",", invariant.Replace(", ", " ", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_TriesNegativeSamplingOnlyWhenAsked()
    {
        var graph = PlantedGraph.Create().Train;
        var o = new GraphEmbeddingOptions { Dimension = 8, Epochs = 3, Threads = 1, AutoMaxDimension = 16, AutoIncludesNegativeSampling = true };
        var result = GraphEmbeddingTrainerEngine.Fit(graph, o);
        Assert.Contains(result.Validation, p => p.Candidate.StartsWith("negative-sampling", StringComparison.Ordinal));
    }

    // Auto's rank search at a small scale: screening at rank 16, first factorisation up to 32, at most 128.
    private static (ValidationCurve Curve, SpectralSearch Search) SearchRanks(BipartiteGraph graph, double othersBest)
    {
        var o = new GraphEmbeddingOptions { Threads = 1, AutoMaxDimension = 128 };
        var split = ValidationSplit.Create(graph, GraphEmbeddingDefaults.ValidationFraction, o.Seed);
        var scorer = new ValidationScorer(split, o.ValidationCutoff, o.ValidationUsers, o.Seed);
        var curve = new ValidationCurve();
        var search = new SpectralSearch(split.Train, o, scorer, 1, curve, default, screeningRank: 16, firstTopRank: 32);
        search.Screen();
        while (search.ShouldExtend(othersBest)) search.Extend();
        return (curve, search);
    }

    private static BipartiteGraph Communities(int count, int users, int items, double density, int noise, int seed)
    {
        var random = new Random(seed);
        var edgeUsers = new List<int>();
        var edgeItems = new List<int>();
        for (int c = 0; c < count; c++)
            for (int u = 0; u < users; u++)
            {
                for (int i = 0; i < items; i++)
                    if (random.NextDouble() < density) { edgeUsers.Add(c * users + u); edgeItems.Add(c * items + i); }
                for (int n = 0; n < noise; n++) { edgeUsers.Add(c * users + u); edgeItems.Add(random.Next(count * items)); }
            }
        return BipartiteGraph.FromEdges(count * users, count * items, edgeUsers.ToArray(), edgeItems.ToArray());
    }

    [Fact]
    public void Auto_FactorisesLargerRanks_WhileTheLargestRankStillWins()
    {
        // 120 communities of 4 users × 4 items plus 3 random items per user: a held-out community item outscores the
        // noise only through its community's own component, so validation keeps gaining up to rank ~120.
        var graph = Communities(120, 4, 4, 1.0, 3, seed: 5);
        var (curve, _) = SearchRanks(graph, othersBest: 0);
        Assert.Contains(curve, p => p.Candidate.StartsWith("truncated-svd d=64 ", StringComparison.Ordinal));
        Assert.Contains(curve, p => p.Candidate.StartsWith("truncated-svd d=128 ", StringComparison.Ordinal));
        var best = curve.MaxBy(p => p.Recall)!;
        Assert.StartsWith("truncated-svd d=128 ", best.Candidate, StringComparison.Ordinal);

        // When another algorithm leads by more than the confirmation band, no larger factorisation is paid for.
        var (behind, _) = SearchRanks(graph, othersBest: 2 * best.Recall);
        Assert.DoesNotContain(behind, p => p.Candidate.StartsWith("truncated-svd d=64 ", StringComparison.Ordinal));
    }

    [Fact]
    public void Auto_DoesNotFactoriseLargerRanks_WhenASmallerRankWins()
    {
        // 4 communities of 40 users × 40 items, 25% of the pairs inside a community linked: a handful of components
        // carry the signal, so the ladder peaks below 32 and no larger factorisation is paid for.
        var graph = Communities(4, 40, 40, 0.25, 0, seed: 11);
        var (curve, _) = SearchRanks(graph, othersBest: 0);
        Assert.Contains(curve, p => p.Candidate.StartsWith("truncated-svd d=32 ", StringComparison.Ordinal));
        Assert.DoesNotContain(curve, p => p.Candidate.StartsWith("truncated-svd d=64 ", StringComparison.Ordinal));
    }

    [Fact]
    public void Auto_RefitsAnSvdRankWithTheSketchItWasMeasuredOn()
    {
        // Rank 32 is measured as the prefix of a rank-64 factorisation. Its final fit must sketch as many columns: refitted on
        // the graph it was measured on, it then gives exactly the vectors Auto scored (a rank-32 sketch of its own would not).
        var graph = Communities(4, 40, 40, 0.25, 0, seed: 11);
        var o = new GraphEmbeddingOptions { Threads = 1, AutoMaxDimension = 128 };
        var split = ValidationSplit.Create(graph, GraphEmbeddingDefaults.ValidationFraction, o.Seed);
        var scorer = new ValidationScorer(split, o.ValidationCutoff, o.ValidationUsers, o.Seed);
        var search = new SpectralSearch(split.Train, o, scorer, 1, [], default, screeningRank: 16, firstTopRank: 64);
        search.Screen();
        var trial = search.Trials.First(t => t.Dimension == 32);
        var (users, items) = trial.Vectors();

        var refit = o.Clone();
        trial.Configure(refit);
        Assert.Equal(64 + TruncatedSvdDefaults.Oversampling - 32, refit.Svd.Oversampling);
        var fitted = GraphEmbeddingTrainerEngine.Fit(split.Train, refit);
        Assert.Equal(users.Values, fitted.UserEmbeddings.Values);
        Assert.Equal(items.Values, fitted.ItemEmbeddings.Values);
        Assert.EndsWith($" sketch={64 + TruncatedSvdDefaults.Oversampling}", fitted.Settings, StringComparison.Ordinal);
        // Trials that differ in their subspace iterations only are told apart (a sweep over svd-power-iterations printed them alike).
        Assert.EndsWith(" q=8", TruncatedSvdTrainer.Describe(32, new TruncatedSvdOptions { PowerIterations = 8 }), StringComparison.Ordinal);
        Assert.DoesNotContain(" q=", TruncatedSvdTrainer.Describe(32, new TruncatedSvdOptions()), StringComparison.Ordinal);

        refit.Svd.Oversampling = TruncatedSvdDefaults.Oversampling;
        Assert.NotEqual(users.Values, GraphEmbeddingTrainerEngine.Fit(split.Train, refit).UserEmbeddings.Values);
    }

    [Fact]
    public void NegativeSampling_InitialisedFromTheSvd_StartsAtTheSvdVectors()
    {
        var graph = PlantedGraph.Create().Train;
        var svd = GraphEmbeddingTrainerEngine.Fit(graph, Svd(8));
        // A learning rate too small to move anything: what comes out is where SGD started.
        var o = new GraphEmbeddingOptions
        {
            Algorithm = EmbeddingAlgorithm.NegativeSampling, Initialization = EmbeddingInitialization.TruncatedSvd,
            Dimension = 8, Epochs = 1, LearningRate = 1e-12f, Threads = 1, Seed = 3,
        };
        var sgd = GraphEmbeddingTrainerEngine.Fit(graph, o);
        for (int k = 0; k < svd.UserEmbeddings.Values.Length; k++) Assert.Equal(svd.UserEmbeddings.Values[k], sgd.UserEmbeddings.Values[k], 1e-5f);
        for (int k = 0; k < svd.ItemEmbeddings.Values.Length; k++) Assert.Equal(svd.ItemEmbeddings.Values[k], sgd.ItemEmbeddings.Values[k], 1e-5f);

        // With the default rate it trains from there, deterministically with one thread.
        o.LearningRate = GraphEmbeddingDefaults.LearningRate;
        var first = GraphEmbeddingTrainerEngine.Fit(graph, o);
        Assert.Equal(first.UserEmbeddings.Values, GraphEmbeddingTrainerEngine.Fit(graph, o).UserEmbeddings.Values);
        Assert.NotEqual(svd.UserEmbeddings.Values, first.UserEmbeddings.Values);
    }

    [Fact]
    public void PopularityCorrection_LogQIsTheColumnDistribution_AndTrainingStaysDeterministic()
    {
        var graph = PlantedGraph.Create().Train;
        var o = new GraphEmbeddingOptions
        {
            Algorithm = EmbeddingAlgorithm.NegativeSampling, Loss = EmbeddingLoss.Softmax, PopularityCorrection = true,
            Dimension = 8, Epochs = 3, Threads = 1, DegreeNegatives = 5,
        };
        var degrees = graph.ItemDegrees();
        var logQ = SamplingLogProbabilities.Compute(degrees, o);
        // A column holds exactly one entity: q sums to 1, and more edges mean a larger q.
        Assert.Equal(1.0, logQ.Sum(v => Math.Exp(v)), 1e-4);
        int popular = Array.IndexOf(degrees, degrees.Max()), rare = Array.IndexOf(degrees, degrees.Where(d => d > 0).Min());
        Assert.True(logQ[popular] > logQ[rare]);

        var first = GraphEmbeddingTrainerEngine.Fit(graph, o);
        Assert.Equal(first.ItemEmbeddings.Values, GraphEmbeddingTrainerEngine.Fit(graph, o).ItemEmbeddings.Values);
        o.PopularityCorrection = false;
        Assert.NotEqual(first.ItemEmbeddings.Values, GraphEmbeddingTrainerEngine.Fit(graph, o).ItemEmbeddings.Values);
    }

    [Fact]
    public void CosineContrastive_LearnsThePlantedCommunities_WithUnitVectors()
    {
        var planted = PlantedGraph.Create();
        var o = new GraphEmbeddingOptions
        {
            Algorithm = EmbeddingAlgorithm.NegativeSampling, Loss = EmbeddingLoss.CosineContrastive, Margin = 0.5f, NegativeWeight = 2f,
            Dimension = 8, Epochs = 30, Threads = 1, InitScale = 0.1f,
        };
        var result = GraphEmbeddingTrainerEngine.Fit(planted.Train, o);
        for (int u = 0; u < result.UserEmbeddings.Rows; u++) Assert.Equal(1f, VectorMath.Norm(result.UserEmbeddings.ReadRow(u)), 1e-4f);
        // Held-out pairs inside a community score above pairs across communities, on average by a clear cosine gap.
        double inside = planted.HeldOut.Average(p => VectorMath.Dot(result.UserEmbeddings.ReadRow(p.User), result.ItemEmbeddings.ReadRow(p.Item)));
        double across = planted.HeldOut.Average(p => VectorMath.Dot(result.UserEmbeddings.ReadRow(p.User),
            result.ItemEmbeddings.ReadRow((p.Item + PlantedGraph.ItemsPerGroup) % planted.Train.ItemCount)));
        Assert.True(inside > across + 0.3, $"inside {inside:F3}, across {across:F3}");
        Assert.Equal(result.UserEmbeddings.Values, GraphEmbeddingTrainerEngine.Fit(planted.Train, o).UserEmbeddings.Values);
    }

    [Fact]
    public void L2Regularization_ShrinksTheVectors_MoreWhenItScalesWithDegree()
    {
        var graph = PlantedGraph.Create().Train;
        GraphEmbeddingOptions Options(float l2, float nu) => new()
        {
            Algorithm = EmbeddingAlgorithm.NegativeSampling, Dimension = 8, Epochs = 5, Threads = 1, InitScale = 0.1f,
            L2Regularization = l2, L2DegreeExponent = nu,
        };
        static double MeanNorm(EmbeddingMatrix m) => Enumerable.Range(0, m.Rows).Average(r => VectorMath.Norm(m.ReadRow(r)));
        double plain = MeanNorm(GraphEmbeddingTrainerEngine.Fit(graph, Options(0, 1)).UserEmbeddings);
        double flat = MeanNorm(GraphEmbeddingTrainerEngine.Fit(graph, Options(0.05f, 0)).UserEmbeddings);
        double scaled = MeanNorm(GraphEmbeddingTrainerEngine.Fit(graph, Options(0.05f, 1)).UserEmbeddings);
        Assert.True(flat < plain, $"flat {flat:F3} vs none {plain:F3}");
        Assert.True(scaled < flat, $"degree-scaled {scaled:F3} vs flat {flat:F3}"); // every user has more than one edge
    }

    [Fact]
    public void HistoryBlend_MovesEachUserTowardsItsHistoryMean()
    {
        var graph = PlantedGraph.Create().Train;
        var o = new GraphEmbeddingOptions { Algorithm = EmbeddingAlgorithm.NegativeSampling, Dimension = 8, Epochs = 3, Threads = 1 };
        var plain = GraphEmbeddingTrainerEngine.Fit(graph, o);
        o.HistoryBlend = 0.25f;
        var blended = GraphEmbeddingTrainerEngine.Fit(graph, o);
        Assert.Equal(plain.ItemEmbeddings.Values, blended.ItemEmbeddings.Values);
        int user = 3;
        var history = graph.ItemsOf(user);
        for (int k = 0; k < 8; k++)
        {
            double mean = 0;
            foreach (int item in history) mean += plain.ItemEmbeddings.ReadRow(item)[k];
            mean /= history.Length;
            Assert.Equal(0.75 * plain.UserEmbeddings.ReadRow(user)[k] + 0.25 * mean, blended.UserEmbeddings.ReadRow(user)[k], 1e-5);
        }
        o.HistoryBlend = 1.5f;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => GraphEmbeddingTrainerEngine.Fit(graph, o));
        Assert.Contains(nameof(GraphEmbeddingOptions.HistoryBlend), e.Message);
    }
}
