using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Embedding;

/// <summary>Implicit ALS started from given item vectors (<see cref="ImplicitAlsOptions.InitialItems"/>).</summary>
public class ImplicitAlsWarmStartTests
{
    private static GraphEmbeddingOptions Als(int dimension, int iterations, int seed = 3) => new()
    {
        Algorithm = EmbeddingAlgorithm.ImplicitAls,
        Dimension = dimension,
        Threads = 1,
        Seed = seed,
        Als = new ImplicitAlsOptions { Iterations = iterations, Regularization = 0.01, UnobservedWeight = 0.05 },
    };

    /// <summary>Six planted groups of 20 items; each user takes 5 items of each of two groups, so its other 30 are near ties.</summary>
    private static BipartiteGraph Planted() =>
        TestGraphs.TwoInterestUsers(groups: 6, itemsPerGroup: 20, users: 150, itemsPerUserPerGroup: 5, dim: 8, seed: 11).Graph;

    [Fact]
    public void Initialize_StartsTheGivenRows_AndZeroRowsKeepTheirDraw()
    {
        var graph = Planted();
        const int d = 6;
        var start = TestGraphs.RandomMatrix(graph.ItemCount, d, seed: 9);
        for (int i = 0; i < graph.ItemCount; i += 3) start.Row(i).Clear(); // every third item is "new"
        var cold = ImplicitAlsTrainer.Initialize(graph, Als(d, 1));
        var o = Als(d, 1);
        o.Als.InitialItems = start;
        var warm = ImplicitAlsTrainer.Initialize(graph, o);
        for (int i = 0; i < graph.ItemCount; i++)
            for (int k = 0; k < d; k++)
                Assert.Equal(i % 3 == 0 ? cold.Items[i * d + k] : start.ReadRow(i)[k], warm.Items[i * d + k]);
        Assert.Equal(Enumerable.Range(0, graph.ItemCount).Select(i => i % 3 != 0), warm.Started!);
    }

    [Fact]
    public void AStartFromTheConvergedModel_StaysThere_WhereAColdStartLandsElsewhere()
    {
        var graph = Planted();
        const int d = 8;
        var converged = GraphEmbeddingTrainerEngine.Fit(graph, Als(d, 30));
        var warmOptions = Als(d, 3, seed: 77);
        warmOptions.Als.InitialItems = converged.ItemEmbeddings;
        var warm = GraphEmbeddingTrainerEngine.Fit(graph, warmOptions);
        var cold = GraphEmbeddingTrainerEngine.Fit(graph, Als(d, 30, seed: 77));

        // The converged model is (nearly) a fixed point: three more iterations barely move it.
        double warmShift = MeanRelativeShift(converged.ItemEmbeddings, warm.ItemEmbeddings);
        double coldShift = MeanRelativeShift(converged.ItemEmbeddings, cold.ItemEmbeddings);
        Assert.True(warmShift < 0.05, $"warm-started items moved {warmShift:F4} on average");
        Assert.True(coldShift > 0.3, $"a cold fit of another seed should land elsewhere (moved {coldShift:F4})");

        double warmJaccard = MeanJaccard(graph, converged, warm, 10), coldJaccard = MeanJaccard(graph, converged, cold, 10);
        Assert.True(warmJaccard > 0.9, $"warm lists Jaccard {warmJaccard:F3}");
        Assert.True(coldShift > 10 * warmShift, $"cold {coldShift:F4} against warm {warmShift:F4}");
        Assert.True(warmJaccard > coldJaccard + 0.2, $"warm {warmJaccard:F3} should be far above cold {coldJaccard:F3}");
    }

    [Fact]
    public void TheSameSeedAndStart_GiveIdenticalVectors_AndTheResultKeepsNoTable()
    {
        var graph = Planted();
        var o = Als(6, 2);
        o.Als.InitialItems = TestGraphs.RandomMatrix(graph.ItemCount, 6, seed: 4);
        var first = GraphEmbeddingTrainerEngine.Fit(graph, o);
        var second = GraphEmbeddingTrainerEngine.Fit(graph, o);
        Assert.Equal(first.ItemEmbeddings.Values, second.ItemEmbeddings.Values);
        Assert.Equal(first.UserEmbeddings.Values, second.UserEmbeddings.Values);
        Assert.Null(first.Als!.InitialItems);
        Assert.Contains("warm-start=given items", first.Settings, StringComparison.Ordinal);
    }

    [Fact]
    public void AValidatedRun_ChoosesItsIterationsFromAColdStart_AndStartsOnlyTheFinalFit()
    {
        var graph = Planted();
        var cold = Als(6, 6);
        cold.ValidationFraction = 0.2;
        var warm = cold.Clone();
        warm.Als.InitialItems = TestGraphs.RandomMatrix(graph.ItemCount, 6, seed: 4);
        var coldResult = GraphEmbeddingTrainerEngine.Fit(graph, cold);
        var warmResult = GraphEmbeddingTrainerEngine.Fit(graph, warm);
        Assert.NotEmpty(coldResult.Validation);
        Assert.Equal(coldResult.Validation.Select(p => p.Recall), warmResult.Validation.Select(p => p.Recall));
        Assert.NotEqual(coldResult.ItemEmbeddings.Values, warmResult.ItemEmbeddings.Values);
    }

    [Fact]
    public void HistoryMmrLambdaSelection_FitsItsHoldoutCold_AsAValidatedRunDoes()
    {
        // The start was fitted on every training edge, the hold-out's too: a hold-out fit started there would be scored on
        // edges its start has seen (and would run WarmStartIterations, not the settings' own count).
        var graph = Planted();
        var cold = Als(6, 4);
        var warm = cold.Clone();
        warm.Als.InitialItems = GraphEmbeddingTrainerEngine.Fit(graph, Als(6, 20, seed: 9)).ItemEmbeddings;
        warm.Als.WarmStartIterations = 1;
        var row = new HistoryMmrRowSettings { Interests = HistoryInterestOptions.FromAls(cold.Als) };
        var selection = new HistoryMmrSelectionOptions { Threads = 1 };
        var coldChoice = HistoryMmrLambdaSelection.Choose(graph, cold, row, selection);
        var warmChoice = HistoryMmrLambdaSelection.Choose(graph, warm, row, selection);
        Assert.Equal(coldChoice.UnimodalRecall, warmChoice.UnimodalRecall);
        Assert.Equal(coldChoice.Points, warmChoice.Points);
        Assert.Equal((coldChoice.Lambda, coldChoice.Reorder, coldChoice.PoolSize), (warmChoice.Lambda, warmChoice.Reorder, warmChoice.PoolSize));
        var fit = GraphEmbeddingTrainerEngine.Fit(graph, warm);
        Assert.Equal(coldChoice.Points, HistoryMmrLambdaSelection.Choose(graph, fit, warm, row, selection).Points);
        Assert.NotNull(warm.Als.InitialItems); // the caller's options keep their start
    }

    [Fact]
    public void WarmStartIterations_SetAWarmFitsLength_AndNothingElse()
    {
        var graph = Planted();
        var o = Als(6, 5);
        Assert.Equal(5, GraphEmbeddingTrainerEngine.Fit(graph, o).Epochs.Count);
        o.Als.WarmStartIterations = 2;
        // Without a start they would mean nothing: refused, not ignored.
        var e = Assert.Throws<ArgumentException>(() => GraphEmbeddingTrainerEngine.Fit(graph, o));
        Assert.Contains("Als.WarmStartIterations is 2, but Als.InitialItems is null", e.Message, StringComparison.Ordinal);
        o.Als.InitialItems = TestGraphs.RandomMatrix(graph.ItemCount, 6, seed: 4);
        var warm = GraphEmbeddingTrainerEngine.Fit(graph, o);
        Assert.Equal(2, warm.Epochs.Count);
        Assert.Contains("iterations=2", warm.Settings, StringComparison.Ordinal);
        o.Als.WarmStartIterations = -1;
        Assert.Equal("WarmStartIterations", Assert.Throws<ArgumentOutOfRangeException>(() => GraphEmbeddingTrainerEngine.Fit(graph, o)).ParamName);
    }

    [Fact]
    public void BadStarts_AreRefused_NamingTheOption()
    {
        var graph = Planted();
        var wrongDimension = Als(8, 1);
        wrongDimension.Als.InitialItems = new EmbeddingMatrix(graph.ItemCount, 6);
        var e = Assert.Throws<ArgumentException>(() => GraphEmbeddingTrainerEngine.Fit(graph, wrongDimension));
        Assert.Contains("Als.InitialItems is 120 x 6", e.Message, StringComparison.Ordinal);
        Assert.Contains("Dimension is 8", e.Message, StringComparison.Ordinal);

        var wrongRows = Als(6, 1);
        wrongRows.Als.InitialItems = new EmbeddingMatrix(graph.ItemCount - 1, 6);
        Assert.Contains("the graph has 120 items", Assert.Throws<ArgumentException>(() => GraphEmbeddingTrainerEngine.Fit(graph, wrongRows)).Message, StringComparison.Ordinal);

        var notFinite = Als(6, 1);
        notFinite.Als.InitialItems = new EmbeddingMatrix(graph.ItemCount, 6);
        notFinite.Als.InitialItems.Values[13] = float.NaN;
        Assert.Contains("Als.InitialItems", Assert.Throws<ArgumentException>(() => GraphEmbeddingTrainerEngine.Fit(graph, notFinite)).Message, StringComparison.Ordinal);

        var svd = Als(6, 1);
        svd.Algorithm = EmbeddingAlgorithm.TruncatedSvd;
        svd.Als.InitialItems = new EmbeddingMatrix(graph.ItemCount, 6);
        Assert.Contains("Algorithm is TruncatedSvd", Assert.Throws<ArgumentException>(() => GraphEmbeddingTrainerEngine.Fit(graph, svd)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_ChoosesAsWithoutTheStart_WhenItDoesNotApply()
    {
        var graph = Planted();
        var auto = new GraphEmbeddingOptions { Algorithm = EmbeddingAlgorithm.Auto, Threads = 1, Seed = 5, AutoMaxDimension = 16 };
        var cold = GraphEmbeddingTrainerEngine.Fit(graph, auto);
        var started = auto.Clone();
        // Auto's implicit-ALS dimension here is min(128, users, items) = 120: a 7-column start never applies.
        started.Als.InitialItems = TestGraphs.RandomMatrix(graph.ItemCount, 7, seed: 2);
        var warm = GraphEmbeddingTrainerEngine.Fit(graph, started);
        Assert.Equal(cold.Settings, warm.Settings);
        Assert.Equal(cold.ItemEmbeddings.Values, warm.ItemEmbeddings.Values);
        Assert.Equal(cold.Validation.Select(p => p.Recall), warm.Validation.Select(p => p.Recall));
        Assert.Null(warm.ChosenOptions!.Als.InitialItems);
    }

    [Fact]
    public void AutosFallback_StartsFromAMatchingTable()
    {
        // Every user has two edges: no validation hold-out, so Auto falls back to implicit ALS at d = min(128, users, items).
        int users = 40, items = 30;
        var u = Enumerable.Range(0, users).SelectMany(x => new[] { x, x }).ToArray();
        var i = Enumerable.Range(0, users).SelectMany(x => new[] { x % items, (x * 7 + 3) % items }).ToArray();
        var graph = BipartiteGraph.FromEdges(users, items, u, i);
        var auto = new GraphEmbeddingOptions { Algorithm = EmbeddingAlgorithm.Auto, Threads = 1, Seed = 5 };
        auto.Als.Iterations = 2;
        var cold = GraphEmbeddingTrainerEngine.Fit(graph, auto);
        Assert.Equal(EmbeddingAlgorithm.ImplicitAls, cold.Algorithm);
        Assert.Equal(items, cold.ItemEmbeddings.Dimension);
        var started = auto.Clone();
        started.Als.InitialItems = TestGraphs.RandomMatrix(items, items, seed: 8);
        var warm = GraphEmbeddingTrainerEngine.Fit(graph, started);
        Assert.Contains("warm-start=given items", warm.Settings, StringComparison.Ordinal);
        Assert.NotEqual(cold.ItemEmbeddings.Values, warm.ItemEmbeddings.Values);
    }

    [Fact]
    public void Auto_RunsWarmStartIterations_WhenItsStartApplies_AndIgnoresThemWhenNot()
    {
        // Auto's trials and cold choice run without the start and its iterations (AlsWarmStart.WithoutStart); its final fit
        // gets both back when the start applies (AutoEmbedding.WithStart), and neither when it does not.
        int users = 40, items = 30;
        var u = Enumerable.Range(0, users).SelectMany(x => new[] { x, x }).ToArray();
        var i = Enumerable.Range(0, users).SelectMany(x => new[] { x % items, (x * 7 + 3) % items }).ToArray();
        var graph = BipartiteGraph.FromEdges(users, items, u, i);
        var auto = new GraphEmbeddingOptions { Algorithm = EmbeddingAlgorithm.Auto, Threads = 1, Seed = 5 };
        auto.Als.Iterations = 4;
        var started = auto.Clone();
        started.Als.InitialItems = TestGraphs.RandomMatrix(items, items, seed: 8); // Auto's fallback: implicit ALS at d = 30
        started.Als.WarmStartIterations = 1;
        var warm = GraphEmbeddingTrainerEngine.Fit(graph, started);
        Assert.Single(warm.Epochs);
        Assert.Equal(4, GraphEmbeddingTrainerEngine.Fit(graph, auto).Epochs.Count);

        var planted = Planted();
        var chosen = new GraphEmbeddingOptions { Algorithm = EmbeddingAlgorithm.Auto, Threads = 1, Seed = 5, AutoMaxDimension = 16 };
        var notApplied = chosen.Clone();
        notApplied.Als.InitialItems = TestGraphs.RandomMatrix(planted.ItemCount, 7, seed: 2); // never Auto's dimension here
        notApplied.Als.WarmStartIterations = 1;
        var result = GraphEmbeddingTrainerEngine.Fit(planted, notApplied);
        Assert.Equal(GraphEmbeddingTrainerEngine.Fit(planted, chosen).ItemEmbeddings.Values, result.ItemEmbeddings.Values);
        Assert.Equal(0, result.ChosenOptions!.Als.WarmStartIterations);
    }

    /// <summary>Mean over items of |a − b| / |a|.</summary>
    private static double MeanRelativeShift(EmbeddingMatrix a, EmbeddingMatrix b)
    {
        double total = 0;
        for (int i = 0; i < a.Rows; i++)
        {
            var x = a.ReadRow(i);
            var y = b.ReadRow(i);
            double diff = 0, norm = 0;
            for (int k = 0; k < x.Length; k++)
            {
                diff += (x[k] - y[k]) * (double)(x[k] - y[k]);
                norm += x[k] * (double)x[k];
            }
            total += Math.Sqrt(diff / Math.Max(norm, 1e-30));
        }
        return total / a.Rows;
    }

    /// <summary>Mean Jaccard of each user's top <paramref name="k"/> unseen items under two models.</summary>
    private static double MeanJaccard(BipartiteGraph graph, GraphEmbeddingResult a, GraphEmbeddingResult b, int k)
    {
        double total = 0;
        for (int u = 0; u < graph.UserCount; u++)
        {
            var x = Top(graph, a, u, k);
            var y = Top(graph, b, u, k);
            total += (double)x.Intersect(y).Count() / x.Union(y).Count();
        }
        return total / graph.UserCount;
    }

    private static HashSet<int> Top(BipartiteGraph graph, GraphEmbeddingResult model, int user, int k)
    {
        var seen = graph.ItemsOf(user).ToArray().ToHashSet();
        var query = model.UserEmbeddings.ReadRow(user).ToArray();
        return Enumerable.Range(0, graph.ItemCount).Where(i => !seen.Contains(i))
            .OrderByDescending(i => VectorMath.Dot(query, model.ItemEmbeddings.ReadRow(i))).ThenBy(i => i).Take(k).ToHashSet();
    }
}
