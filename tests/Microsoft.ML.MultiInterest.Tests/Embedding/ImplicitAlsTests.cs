using MathNet.Numerics.LinearAlgebra;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Embedding;

public class ImplicitAlsTests
{
    private static GraphEmbeddingOptions Als(int dimension, int threads = 1, ImplicitAlsSolver solver = ImplicitAlsSolver.Cholesky, int iterations = 8) => new()
    {
        Algorithm = EmbeddingAlgorithm.ImplicitAls,
        Dimension = dimension,
        Threads = threads,
        Seed = 3,
        Als = new ImplicitAlsOptions { Iterations = iterations, Solver = solver, Regularization = 0.01, UnobservedWeight = 0.05 },
    };

    /// <summary>A tiny weighted graph with a user and an item without edges.</summary>
    private static BipartiteGraph Tiny()
    {
        int[] users = [0, 0, 0, 1, 1, 2, 2, 2, 2, 3, 4, 4, 5, 5, 5, 5, 5];
        int[] items = [0, 2, 5, 1, 2, 0, 3, 4, 6, 6, 1, 5, 0, 1, 2, 3, 4];
        var weights = users.Select((u, e) => 1f + 0.5f * ((u + e) % 3)).ToArray();
        return BipartiteGraph.FromEdges(7, 8, users, items, weights);
    }

    [Fact]
    public void UserHalfStep_EqualsTheDenseClosedFormSolution()
    {
        var graph = Tiny();
        const int d = 4;
        var o = Als(d);
        o.Als.RegularizationExponent = 0.7;
        var state = ImplicitAlsTrainer.Initialize(graph, o);
        var y = Matrix<double>.Build.Dense(graph.ItemCount, d, (i, k) => state.Items[i * d + k]);
        var gram = DenseRows.Gram(state.Items, graph.ItemCount, d, 1);
        ImplicitAlsTrainer.SolveRows(state.Ratings, state.Users, state.Items, gram, d, state.UserPenalty, o.Als, 1, default);

        // Reference: argmin_x Σ_i∈I_u w (xᵀy_i − 1)² + α0 Σ_all i (xᵀy_i)² + λ (|I_u| + α0 |I|)^ν ‖x‖², solved densely.
        double alpha0 = o.Als.UnobservedWeight;
        for (int u = 0; u < graph.UserCount; u++)
        {
            var items = graph.ItemsOf(u);
            var weights = graph.WeightsOf(u);
            double lambda = o.Als.Regularization * Math.Pow(items.Length + alpha0 * graph.ItemCount, o.Als.RegularizationExponent);
            var a = alpha0 * y.TransposeThisAndMultiply(y) + lambda * Matrix<double>.Build.DenseIdentity(d);
            var b = MathNet.Numerics.LinearAlgebra.Vector<double>.Build.Dense(d);
            for (int e = 0; e < items.Length; e++)
            {
                var yi = y.Row(items[e]);
                a += weights[e] * yi.OuterProduct(yi);
                b += weights[e] * yi;
            }
            var expected = a.Solve(b);
            for (int k = 0; k < d; k++)
                Assert.Equal(expected[k], state.Users[u * d + k], 1e-12);
        }
        // User 6 has no edges: its minimiser is the zero vector.
        Assert.All(state.Users.AsSpan(6 * d, d).ToArray(), v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void Objective_EqualsTheBruteForceSumOverAllPairs()
    {
        var graph = Tiny();
        const int d = 3;
        var o = Als(d);
        var state = ImplicitAlsTrainer.Initialize(graph, o);
        // Users start at zero; give them values, so that every term of the objective counts.
        var random = new Random(5);
        for (int k = 0; k < state.Users.Length; k++) state.Users[k] = random.NextDouble() - 0.5;
        var gramX = DenseRows.Gram(state.Users, graph.UserCount, d, 1);
        var gramY = DenseRows.Gram(state.Items, graph.ItemCount, d, 1);
        double fast = ImplicitAlsTrainer.Objective(state, gramX, gramY, d, o.Als.UnobservedWeight, 2, default);

        double brute = 0;
        for (int u = 0; u < graph.UserCount; u++)
        {
            for (int i = 0; i < graph.ItemCount; i++)
            {
                double s = 0;
                for (int k = 0; k < d; k++) s += state.Users[u * d + k] * state.Items[i * d + k];
                brute += o.Als.UnobservedWeight * s * s;
                int e = graph.ItemsOf(u).IndexOf(i);
                if (e >= 0) brute += graph.WeightsOf(u)[e] * (s - 1) * (s - 1);
            }
            brute += state.UserPenalty[u] * Enumerable.Range(0, d).Sum(k => state.Users[u * d + k] * state.Users[u * d + k]);
        }
        for (int i = 0; i < graph.ItemCount; i++)
            brute += state.ItemPenalty[i] * Enumerable.Range(0, d).Sum(k => state.Items[i * d + k] * state.Items[i * d + k]);
        Assert.Equal(brute, fast, 1e-12);
    }

    [Fact]
    public void Objective_NeverIncreases_WithTheExactSolver()
    {
        var graph = PlantedGraph.Create(weighted: true).Train;
        var losses = new List<double>();
        var result = GraphEmbeddingTrainerEngine.Fit(graph, Als(8, iterations: 12), new SyncProgress(e => losses.Add(e.MeanLoss)));
        Assert.Equal(12, losses.Count);
        Assert.Equal(12, result.Epochs.Count);
        for (int t = 1; t < losses.Count; t++)
            Assert.True(losses[t] <= losses[t - 1] * (1 + 1e-12), $"iteration {t + 1}: {losses[t]} > {losses[t - 1]}");
        Assert.True(losses[^1] < losses[0]);
    }

    [Fact]
    public void ConjugateGradient_WithManySteps_MatchesCholesky()
    {
        var graph = PlantedGraph.Create().Train;
        var exact = GraphEmbeddingTrainerEngine.Fit(graph, Als(6, iterations: 5));
        var cgOptions = Als(6, solver: ImplicitAlsSolver.ConjugateGradient, iterations: 5);
        cgOptions.Als.CgSteps = 30;
        var cg = GraphEmbeddingTrainerEngine.Fit(graph, cgOptions);
        for (int k = 0; k < exact.UserEmbeddings.Values.Length; k++)
            Assert.Equal(exact.UserEmbeddings.Values[k], cg.UserEmbeddings.Values[k], 1e-4);
        for (int k = 0; k < exact.ItemEmbeddings.Values.Length; k++)
            Assert.Equal(exact.ItemEmbeddings.Values[k], cg.ItemEmbeddings.Values[k], 1e-4);
        Assert.Equal(exact.Epochs[^1].MeanLoss, cg.Epochs[^1].MeanLoss, 1e-8);
    }

    [Fact]
    public void ConjugateGradient_WithFewSteps_StillLearnsThePlantedCommunities()
    {
        var planted = PlantedGraph.Create();
        var o = Als(PlantedGraph.Groups * 2, solver: ImplicitAlsSolver.ConjugateGradient);
        var result = GraphEmbeddingTrainerEngine.Fit(planted.Train, o);
        Assert.True(planted.HeldOutAuc(result) > 0.9, $"AUC {planted.HeldOutAuc(result)}");
        Assert.Equal(EmbeddingAlgorithm.ImplicitAls, result.Algorithm);
        Assert.Contains("solver=cg(3)", result.Settings);
    }

    [Theory]
    [InlineData(ImplicitAlsSolver.Cholesky)]
    [InlineData(ImplicitAlsSolver.ConjugateGradient)]
    public void Results_AreBitIdentical_ForAnyThreadCount_AndTheSameSeed(ImplicitAlsSolver solver)
    {
        var graph = PlantedGraph.Create(weighted: true).Train;
        var one = GraphEmbeddingTrainerEngine.Fit(graph, Als(12, threads: 1, solver: solver, iterations: 4));
        var two = GraphEmbeddingTrainerEngine.Fit(graph, Als(12, threads: 2, solver: solver, iterations: 4));
        var again = GraphEmbeddingTrainerEngine.Fit(graph, Als(12, threads: 1, solver: solver, iterations: 4));
        Assert.Equal(one.UserEmbeddings.Values, two.UserEmbeddings.Values);
        Assert.Equal(one.ItemEmbeddings.Values, two.ItemEmbeddings.Values);
        Assert.Equal(one.Epochs.Select(e => e.MeanLoss), two.Epochs.Select(e => e.MeanLoss));
        Assert.Equal(one.UserEmbeddings.Values, again.UserEmbeddings.Values);
        Assert.Equal(one.ItemEmbeddings.Values, again.ItemEmbeddings.Values);

        var otherSeed = Als(12, solver: solver, iterations: 4);
        otherSeed.Seed = 4;
        Assert.NotEqual(one.UserEmbeddings.Values, GraphEmbeddingTrainerEngine.Fit(graph, otherSeed).UserEmbeddings.Values);
    }

    /// <summary>
    /// A random graph in which items 28 and 29 copy the users of items 3 and 10, then users 38 and 39 copy the items of
    /// users 5 and 0: two pairs of identical item rows and two of identical user rows.
    /// </summary>
    private static BipartiteGraph WithCopiedRows()
    {
        var random = new Random(11);
        var edges = new SortedSet<(int User, int Item)>();
        for (int u = 0; u < 38; u++)
            for (int i = 0; i < 28; i++)
                if (random.NextDouble() < 0.2) edges.Add((u, i));
        foreach (var (copy, of) in new[] { (28, 3), (29, 10) })
            foreach (var (u, _) in edges.Where(e => e.Item == of).ToArray()) edges.Add((u, copy));
        foreach (var (copy, of) in new[] { (38, 5), (39, 0) })
            foreach (var (_, i) in edges.Where(e => e.User == of).ToArray()) edges.Add((copy, i));
        return BipartiteGraph.FromEdges(40, 30, edges.Select(e => e.User).ToArray(), edges.Select(e => e.Item).ToArray());
    }

    [Theory]
    [InlineData(ImplicitAlsSolver.Cholesky)]
    [InlineData(ImplicitAlsSolver.ConjugateGradient)]
    public void RowsWithIdenticalEntries_GetIdenticalVectors(ImplicitAlsSolver solver)
    {
        // Conjugate gradients stopped after a few steps depend on their start; started from each row's own random
        // vector, copied items came out up to 0.0017 apart per coordinate, and ties between them fell to noise.
        var graph = WithCopiedRows();
        var o = Als(16, threads: 2, solver: solver, iterations: 6);
        var result = GraphEmbeddingTrainerEngine.Fit(graph, o);
        foreach (var (copy, of) in new[] { (28, 3), (29, 10) })
            Assert.Equal(result.ItemEmbeddings.Row(of).ToArray(), result.ItemEmbeddings.Row(copy).ToArray());
        foreach (var (copy, of) in new[] { (38, 5), (39, 0) })
            Assert.Equal(result.UserEmbeddings.Row(of).ToArray(), result.UserEmbeddings.Row(copy).ToArray());
        // The rows copied are not all alike: the check would notice vectors that do not depend on the row.
        Assert.NotEqual(result.ItemEmbeddings.Row(3).ToArray(), result.ItemEmbeddings.Row(10).ToArray());
    }

    [Theory]
    [InlineData("Iterations")]
    [InlineData("Regularization")]
    [InlineData("RegularizationExponent")]
    [InlineData("UnobservedWeight")]
    [InlineData("InitScale")]
    [InlineData("Solver")]
    [InlineData("CgSteps")]
    public void BadOptions_AreNamed(string option)
    {
        var o = Als(4);
        switch (option)
        {
            case "Iterations": o.Als.Iterations = 0; break;
            case "Regularization": o.Als.Regularization = -0.1; break;
            case "RegularizationExponent": o.Als.RegularizationExponent = double.NaN; break;
            case "UnobservedWeight": o.Als.UnobservedWeight = -1e-3; break;
            case "InitScale": o.Als.InitScale = 0; break;
            case "Solver": o.Als.Solver = (ImplicitAlsSolver)7; break;
            default: o.Als.CgSteps = 0; break;
        }
        Assert.Equal(option, Assert.Throws<ArgumentOutOfRangeException>(() => o.Validate()).ParamName);
        var graph = PlantedGraph.Create().Train;
        Assert.Equal(option, Assert.Throws<ArgumentOutOfRangeException>(() => GraphEmbeddingTrainerEngine.Fit(graph, o)).ParamName);
    }

    [Fact]
    public void Options_AreCloned_AndDefaultToImplicitAlsDefaults()
    {
        var o = new GraphEmbeddingOptions();
        Assert.Equal(ImplicitAlsDefaults.Iterations, o.Als.Iterations);
        Assert.Equal(ImplicitAlsDefaults.Regularization, o.Als.Regularization);
        Assert.Equal(ImplicitAlsDefaults.UnobservedWeight, o.Als.UnobservedWeight);
        Assert.Equal(ImplicitAlsDefaults.Solver, o.Als.Solver);
        var copy = o.Clone();
        copy.Als.Regularization = 7;
        Assert.Equal(ImplicitAlsDefaults.Regularization, o.Als.Regularization);
        o.Als = null!;
        Assert.Throws<ArgumentNullException>(() => o.Validate());
    }

    [Fact]
    public void EarlyStopping_ReturnsTheBestIterationsTables()
    {
        var graph = PlantedGraph.Create().Train;
        var split = ValidationSplit.Create(graph, 0.2, seed: 1);
        var scorer = new ValidationScorer(split, cutoff: 10, maxUsers: 0, seed: 1);
        var o = Als(8, iterations: 10);
        o.EarlyStoppingPatience = 0;
        var curve = new ValidationCurve();
        var (result, iteration) = ImplicitAlsTrainer.Fit(split.Train, o, 1, null, scorer, curve, default);
        Assert.Equal(10, curve.Count);
        var best = curve.MaxBy(p => p.Recall)!;
        Assert.Equal(best.Step, iteration);
        Assert.Equal(best.Recall, scorer.Score(result.UserEmbeddings, result.ItemEmbeddings, 1).Recall);

        // With patience, training stops once Patience iterations pass without a gain.
        o.EarlyStoppingPatience = 1;
        var shortCurve = new ValidationCurve();
        var (_, stopped) = ImplicitAlsTrainer.Fit(split.Train, o, 1, null, scorer, shortCurve, default);
        Assert.True(shortCurve.Count <= Math.Min(10, stopped + 1));
        Assert.Equal(shortCurve.MaxBy(p => p.Recall)!.Step, stopped);
    }

    [Fact]
    public void WithValidation_ChoosesIterationsOnTheHoldOut_ThenRefitsOnAllEdges()
    {
        var graph = PlantedGraph.Create().Train;
        var o = Als(8, iterations: 6);
        o.ValidationFraction = 0.2;
        var result = GraphEmbeddingTrainerEngine.Fit(graph, o);
        Assert.Equal(EmbeddingAlgorithm.ImplicitAls, result.Algorithm);
        Assert.NotEmpty(result.Validation);
        Assert.All(result.Validation, p => Assert.StartsWith("implicit-als iteration", p.Candidate));
        int best = result.Validation.MaxBy(p => p.Recall)!.Step;
        Assert.Contains($"iterations={best} ", result.Settings);
        Assert.Equal(best, result.Epochs.Count);
        Assert.Equal(graph.UserCount, result.UserEmbeddings.Rows);
        Assert.Equal(8, result.ItemEmbeddings.Dimension);
    }

    private sealed class SyncProgress(Action<EpochStats> report) : IProgress<EpochStats>
    {
        public void Report(EpochStats value) => report(value);
    }
}
