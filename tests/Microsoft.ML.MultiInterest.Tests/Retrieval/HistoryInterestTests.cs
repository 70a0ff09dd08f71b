using MathNet.Numerics.LinearAlgebra;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Retrieval;

/// <summary>History interests (per-user k-means of the history, one ALS fold-in per interest) and history-interest MMR.</summary>
public class HistoryInterestTests
{
    private static readonly HistoryInterestOptions Objective = new() { Regularization = 0.02, UnobservedWeight = 0.05, RegularizationExponent = 0.7 };

    /// <summary>The dense closed form of the ALS user solve over <paramref name="subset"/> (what the fold-in must equal).</summary>
    private static double[] DenseFoldIn(EmbeddingMatrix items, IReadOnlyList<int> subset, IReadOnlyList<float>? weights, HistoryInterestOptions o)
    {
        int d = items.Dimension;
        var y = Matrix<double>.Build.Dense(items.Rows, d, (i, k) => items.Values[i * d + k]);
        double penalty = o.Regularization * Math.Pow(subset.Count + o.UnobservedWeight * items.Rows, o.RegularizationExponent);
        var a = o.UnobservedWeight * y.TransposeThisAndMultiply(y) + penalty * Matrix<double>.Build.DenseIdentity(d);
        var b = Vector<double>.Build.Dense(d);
        for (int e = 0; e < subset.Count; e++)
        {
            var yi = y.Row(subset[e]);
            double w = weights?[e] ?? 1;
            a += w * yi.OuterProduct(yi);
            b += w * yi;
        }
        return a.Solve(b).ToArray();
    }

    /// <summary>The fold-in agrees with the dense solve to float rounding (relative 1e-5).</summary>
    private static void AssertFoldIn(double[] expected, ReadOnlySpan<float> got)
    {
        for (int k = 0; k < expected.Length; k++) Assert.Equal(expected[k], got[k], 1e-5 * (1 + Math.Abs(expected[k])));
    }

    [Fact]
    public void OneInterestIsTheAlsUserSolveOfTheWholeHistory()
    {
        var (items, _, graph, _) = TestGraphs.TwoInterestUsers(groups: 4, itemsPerGroup: 10, users: 12, itemsPerUserPerGroup: 3, dim: 6);
        var o = Objective.Clone();
        o.MaxInterests = 1;
        int[] users = Enumerable.Range(0, graph.UserCount).ToArray();
        var interests = HistoryInterests.Build(graph, items, users, o, threads: 1);
        foreach (int u in users)
        {
            Assert.Equal(1, interests.InterestCount(u));
            Assert.Equal(1.0, interests.Weights(u)[0], 12);
            var expected = DenseFoldIn(items, graph.ItemsOf(u).ToArray(), null, o);
            AssertFoldIn(expected, interests.Vectors(u));
        }
    }

    [Fact]
    public void HistoriesLongerAndShorterThanTheDimensionGiveTheDenseSolve_WeightedOrNot()
    {
        // dim 4: the 2-item subsets take the Woodbury path, the 12- and 40-item ones the d x d path.
        var (items, _, _, _) = TestGraphs.TwoInterestUsers(groups: 4, itemsPerGroup: 10, users: 2, itemsPerUserPerGroup: 3, dim: 4);
        var o = Objective.Clone();
        var foldIn = new InterestFoldIn(items, o, threads: 1);
        var scratch = foldIn.CreateScratch(3);
        var x = new float[4];
        foreach (int n in new[] { 2, 4, 5, 12, 40 })
        {
            int[] subset = Enumerable.Range(0, n).Select(i => (i * 7) % items.Rows).Distinct().ToArray();
            float[] weights = subset.Select(i => 0.5f + i % 3).ToArray();
            foldIn.Solve(subset, default, x, scratch);
            AssertFoldIn(DenseFoldIn(items, subset, null, o), x);
            foldIn.Solve(subset, weights, x, scratch);
            AssertFoldIn(DenseFoldIn(items, subset, weights, o), x);
        }
    }

    [Fact]
    public void EdgeWeightsWeightTheFoldIn()
    {
        var (items, _, plain, _) = TestGraphs.TwoInterestUsers(groups: 3, itemsPerGroup: 8, users: 6, itemsPerUserPerGroup: 3, dim: 5);
        var users = new List<int>();
        var edgeItems = new List<int>();
        for (int u = 0; u < plain.UserCount; u++)
            foreach (int i in plain.ItemsOf(u)) { users.Add(u); edgeItems.Add(i); }
        var weights = users.Select((u, e) => 0.5f + (e % 4)).ToArray();
        var graph = BipartiteGraph.FromEdges(plain.UserCount, plain.ItemCount, users.ToArray(), edgeItems.ToArray(), weights);
        var o = Objective.Clone();
        o.MaxInterests = 1;
        var interests = HistoryInterests.Build(graph, items, [0, 3], o, threads: 1);
        for (int q = 0; q < 2; q++)
        {
            int u = interests.Users[q];
            var expected = DenseFoldIn(items, graph.ItemsOf(u).ToArray(), graph.WeightsOf(u).ToArray(), o);
            AssertFoldIn(expected, interests.Vectors(q));
        }
    }

    [Fact]
    public void EachPlantedInterestGetsItsOwnVectorFittedToItsItems()
    {
        // Every user engages with two well-separated groups, 6 items each: two interests, one per group, weight 1/2 each.
        var (items, groups, graph, userGroups) = TestGraphs.TwoInterestUsers(groups: 4, itemsPerGroup: 12, users: 16, itemsPerUserPerGroup: 6, dim: 8);
        var o = Objective.Clone();
        o.ItemsPerInterest = 6;
        int[] users = Enumerable.Range(0, graph.UserCount).ToArray();
        var interests = HistoryInterests.Build(graph, items, users, o, threads: 1);
        foreach (int u in users)
        {
            Assert.Equal(2, interests.InterestCount(u));
            Assert.Equal(0.5, interests.Weights(u)[0], 12);
            var history = graph.ItemsOf(u).ToArray();
            var found = new HashSet<int>();
            for (int c = 0; c < 2; c++)
            {
                var x = interests.Vectors(u).Slice(c * items.Dimension, items.Dimension).ToArray();
                // The interest's vector is the fold-in of its group's history items alone...
                int group = Enumerable.Range(0, items.Rows).MaxBy(i => VectorMath.Dot(x, items.ReadRow(i))) is int top ? groups[top] : -1;
                found.Add(group);
                var expected = DenseFoldIn(items, history.Where(i => groups[i] == group).ToArray(), null, o);
                AssertFoldIn(expected, x);
            }
            // ...and the two interests are the user's two planted groups.
            Assert.Equal(userGroups[u].Order(), found.Order());
        }
    }

    [Fact]
    public void InterestsDoNotDependOnThreads()
    {
        var (items, _, graph, _) = TestGraphs.TwoInterestUsers(groups: 5, itemsPerGroup: 10, users: 30, itemsPerUserPerGroup: 4, dim: 8);
        int[] users = Enumerable.Range(0, graph.UserCount).ToArray();
        var one = HistoryInterests.Build(graph, items, users, Objective, threads: 1);
        var many = HistoryInterests.Build(graph, items, users, Objective, threads: 4);
        for (int q = 0; q < users.Length; q++)
        {
            Assert.Equal(one.Vectors(q).ToArray(), many.Vectors(q).ToArray());
            Assert.Equal(one.Weights(q).ToArray(), many.Weights(q).ToArray());
        }
    }

    /// <summary>Users of 0, 1, 2, 5, 9 and 14 history items: 0, 1, 1, 2, 4 and 4 interests at two items each, at most four.</summary>
    private static (EmbeddingMatrix Items, BipartiteGraph Graph, HistoryInterests Interests) UnevenHistories()
    {
        var (items, _, _, _) = TestGraphs.TwoInterestUsers(groups: 4, itemsPerGroup: 10, users: 2, itemsPerUserPerGroup: 3, dim: 6);
        int[] degrees = [0, 1, 2, 5, 9, 14];
        var edgeUsers = new List<int>();
        var edgeItems = new List<int>();
        for (int u = 0; u < degrees.Length; u++)
            for (int j = 0; j < degrees[u]; j++) { edgeUsers.Add(u); edgeItems.Add((u * 7 + j * 3) % items.Rows); }
        var graph = BipartiteGraph.FromEdges(degrees.Length, items.Rows, edgeUsers.ToArray(), edgeItems.ToArray());
        var o = Objective.Clone();
        o.MaxInterests = 4;
        o.ItemsPerInterest = 2;
        return (items, graph, HistoryInterests.Build(graph, items, Enumerable.Range(0, degrees.Length).ToArray(), o, threads: 1));
    }

    [Fact]
    public void InterestsAreStoredWithoutPaddingAndTheOnnxTablesRoundTrip()
    {
        var (_, _, interests) = UnevenHistories();
        Assert.Equal([0, 1, 1, 2, 4, 4], Enumerable.Range(0, 6).Select(interests.InterestCount));
        // One matrix, entry after entry, no padding: what the pool search takes as its queries.
        var matrix = interests.Matrix;
        Assert.Equal(12, matrix.Rows);
        for (int q = 0; q < 6; q++)
        {
            Assert.Equal(interests.InterestCount(q), interests.FirstInterests[q + 1] - interests.FirstInterests[q]);
            Assert.Equal(interests.Vectors(q).ToArray(), matrix.Values.AsSpan(interests.FirstInterests[q] * 6, interests.InterestCount(q) * 6).ToArray());
        }
        // The padded tables of the ONNX export read back to the same interests; a wider copy shares them.
        var (counts, vectors, weights) = interests.Padded(5).ToTables();
        Assert.Equal(6 * 5 * 6, vectors.Length);
        var back = HistoryInterests.FromTables(5, 6, counts, vectors, weights);
        for (int q = 0; q < 6; q++)
        {
            Assert.Equal(interests.Vectors(q).ToArray(), back.Vectors(q).ToArray());
            Assert.Equal(interests.Weights(q).ToArray(), back.Weights(q).ToArray());
            Assert.True(vectors.AsSpan((q * 5 + interests.InterestCount(q)) * 6, (5 - interests.InterestCount(q)) * 6).IndexOfAnyExcept(0f) < 0, "padding is zeros");
        }
    }

    [Fact]
    public void TheHistoryRowsGoodnessOfFitIsThatOfTheUnitInterestTable()
    {
        var (items, graph, interests) = UnevenHistories();
        // Held-out edges for the users with interests; the fit read from the interests must equal the one of a full table.
        int[] testUsers = [1, 2, 3, 4, 5];
        var test = BipartiteGraph.FromEdges(6, items.Rows, [1, 2, 3, 3, 4, 5, 5], [30, 31, 32, 2, 33, 34, 1]);
        var rowInterests = HistoryInterests.Build(graph, items, testUsers, interests.Options, threads: 1);
        var table = MixtureTable.ForUsers(6, testUsers, rowInterests.MaxInterests, 6);
        for (int q = 0; q < testUsers.Length; q++)
        {
            int user = testUsers[q], count = rowInterests.InterestCount(q);
            table.SetCount(user, count);
            table.WritableClusters(user)[..count].Fill(-1);
            rowInterests.Weights(q).CopyTo(table.WritableWeights(user));
            for (int c = 0; c < count; c++)
            {
                var target = table.WritableEmbedding(user, c);
                rowInterests.Vectors(q).Slice(c * 6, 6).CopyTo(target);
                VectorMath.NormalizeInPlace(target);
            }
        }
        var lists = new Dictionary<int, RankedLists> { [5] = new UnimodalRetriever(items).Retrieve(items.Normalized(), testUsers, graph, 5, threads: 1) };
        var scorer = new ProtocolScorer(test, testUsers, items, threads: 2, ActivityQuartiles.Assign(testUsers.Select(graph.DegreeOf).ToArray()));
        var fromTable = scorer.Score("history", lists, table, null);
        var fits = new double[testUsers.Length];
        scorer.FitHistoryInterests(rowInterests, 0, fits);
        var fromInterests = scorer.ScoreFits("history", lists, rowInterests.ToWeightsTable(6), fits);
        Assert.True(fromTable.Emd > 0);
        Assert.Equal(fromTable.Emd, fromInterests.Emd);
        Assert.Equal(fromTable.ByActivity.Select(g => g.Emd), fromInterests.ByActivity.Select(g => g.Emd));
        Assert.False(fromInterests.Mixtures!.HasEmbeddings);
        foreach (int u in testUsers) Assert.Equal(table.Weights(u).ToArray(), fromInterests.Mixtures.Weights(u).ToArray());
    }

    [Fact]
    public void APoolBelowTheListLength_IsRefused()
    {
        var (items, _, graph, _) = TestGraphs.TwoInterestUsers(groups: 4, itemsPerGroup: 15, users: 20, itemsPerUserPerGroup: 4, dim: 8);
        var userVectors = TestGraphs.RandomMatrix(graph.UserCount, items.Dimension, 5);
        var interests = HistoryInterests.Build(graph, items, Enumerable.Range(0, graph.UserCount).ToArray(), Objective, threads: 1);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new HistoryInterestRetriever(items).Retrieve(userVectors, interests, graph, 10, poolSize: 5));
        Assert.Equal("poolSize", error.ParamName);
        Assert.Contains("PoolSize (5) is below Candidates (M = 10): the lists would hold 5 items", error.Message);
    }

    [Fact]
    public void LambdaOneWithoutTheTermRanksByTheBestScoreOverTheUsersVectors()
    {
        var (items, _, graph, _) = TestGraphs.TwoInterestUsers(groups: 4, itemsPerGroup: 15, users: 20, itemsPerUserPerGroup: 4, dim: 8);
        var userVectors = TestGraphs.RandomMatrix(graph.UserCount, items.Dimension, 5);
        int[] users = Enumerable.Range(0, graph.UserCount).ToArray();
        var interests = HistoryInterests.Build(graph, items, users, Objective, threads: 1);
        var lists = new HistoryInterestRetriever(items).Retrieve(userVectors, interests, graph, 10, lambda: 1, interestWeight: 0, poolSize: 25);
        foreach (int u in users)
        {
            // Brute force: every unseen item's best score over the user's vector and its interests' vectors.
            var vectors = new List<float[]> { userVectors.ReadRow(u).ToArray() };
            for (int c = 0; c < interests.InterestCount(u); c++) vectors.Add(interests.Vectors(u).Slice(c * items.Dimension, items.Dimension).ToArray());
            var expected = Enumerable.Range(0, items.Rows).Where(i => !graph.Contains(u, i))
                .Select(i => (Item: i, Score: vectors.Max(v => VectorMath.Dot(v, items.ReadRow(i)))))
                .OrderByDescending(p => p.Score).ThenBy(p => p.Item).Take(10).Select(p => p.Item).ToArray();
            Assert.Equal(expected, lists.IndicesOf(u).ToArray());
        }
        // The users' own rankings, when given, are reused rather than searched again: same lists.
        var retriever = new HistoryInterestRetriever(items);
        var own = new UnimodalRetriever(items).Retrieve(userVectors, users, graph, 40);
        var plain = retriever.Retrieve(userVectors, interests, graph, 10, lambda: 0.7, interestWeight: 0.5, poolSize: 25);
        var reused = retriever.Retrieve(userVectors, interests, graph, 10, lambda: 0.7, interestWeight: 0.5, poolSize: 25, userLists: own);
        Assert.Equal(plain.Indices, reused.Indices);
        Assert.Equal(plain.Scores, reused.Scores);
        var tooShort = new UnimodalRetriever(items).Retrieve(userVectors, users, graph, 10);
        Assert.Equal("userLists", Assert.Throws<ArgumentException>(() => retriever.Retrieve(userVectors, interests, graph, 10, poolSize: 25, userLists: tooShort)).ParamName);
    }

    /// <summary>
    /// Sixteen users with two planted interests of six items each (four groups of 20 items), their history interests, and weak
    /// random user vectors: relevance comes from the interests, so each group's items are its interest's best.
    /// </summary>
    internal static (EmbeddingMatrix Items, int[] Groups, BipartiteGraph Graph, int[][] UserGroups, int[] Users, HistoryInterests Interests, EmbeddingMatrix UserVectors)
        PlantedInterestsWithWeakUserVectors()
    {
        var (items, groups, graph, userGroups) = TestGraphs.TwoInterestUsers(groups: 4, itemsPerGroup: 20, users: 16, itemsPerUserPerGroup: 6, dim: 8);
        var o = Objective.Clone();
        o.ItemsPerInterest = 6;
        int[] users = Enumerable.Range(0, graph.UserCount).ToArray();
        var interests = HistoryInterests.Build(graph, items, users, o, threads: 1);
        var userVectors = TestGraphs.RandomMatrix(graph.UserCount, items.Dimension, 9);
        for (int k = 0; k < userVectors.Values.Length; k++) userVectors.Values[k] *= 0.01f;
        return (items, groups, graph, userGroups, users, interests, userVectors);
    }

    [Fact]
    public void ListsHoldNoSeenOrRepeatedItemsAndTheTermSpreadsThemOverTheInterests()
    {
        var (items, groups, graph, userGroups, users, interests, userVectors) = PlantedInterestsWithWeakUserVectors();
        var retriever = new HistoryInterestRetriever(items);
        var plain = retriever.Retrieve(userVectors, interests, graph, 8, lambda: 1, interestWeight: 0, poolSize: 60);
        var spread = retriever.Retrieve(userVectors, interests, graph, 8, lambda: 1, interestWeight: 1e6, poolSize: 60);
        int plainBalanced = 0, spreadBalanced = 0;
        foreach (int u in users)
        {
            foreach (var lists in new[] { plain, spread })
            {
                var got = lists.IndicesOf(u).ToArray();
                Assert.Equal(8, got.Distinct().Count());
                Assert.DoesNotContain(got, i => graph.Contains(u, i));
            }
            // Two interests of equal weight: a dominant term alternates them, four slots each.
            bool Balanced(RankedLists l) => l.IndicesOf(u).ToArray().Count(i => groups[i] == userGroups[u][0]) == 4;
            plainBalanced += Balanced(plain) ? 1 : 0;
            spreadBalanced += Balanced(spread) ? 1 : 0;
        }
        Assert.Equal(users.Length, spreadBalanced);
        Assert.True(plainBalanced < users.Length, "the random user vectors should leave some plain lists unbalanced");
    }

    /// <summary>Two-interest users with vectors trained by implicit ALS with an objective on the calibration grid (alpha0 0.01, lambda 1e-3).</summary>
    private static (BipartiteGraph Graph, GraphEmbeddingResult Fit) AlsOnTheCalibrationGrid(int users, int iterations)
    {
        var (_, _, graph, _) = TestGraphs.TwoInterestUsers(groups: 5, itemsPerGroup: 12, users: users, itemsPerUserPerGroup: 4, dim: 8);
        return (graph, GraphEmbeddingTrainerEngine.Fit(graph, new GraphEmbeddingOptions
        {
            Algorithm = EmbeddingAlgorithm.ImplicitAls, Dimension = 6, Threads = 1, Seed = 3,
            Als = new ImplicitAlsOptions { Iterations = iterations, Regularization = 1e-3, UnobservedWeight = 0.01 },
        }));
    }

    [Fact]
    public void MatchingUserVectorsFindsTheAlsObjectiveAgainAndFollowsTheVectorsScale()
    {
        var (graph, fit) = AlsOnTheCalibrationGrid(users: 60, iterations: 12);
        int[] users = Enumerable.Range(0, graph.UserCount).ToArray();
        var matched = new HistoryInterestOptions { MatchUserVectors = true };
        var interests = HistoryInterests.Build(graph, fit.ItemEmbeddings, users, matched, threads: 1, userEmbeddings: fit.UserEmbeddings);
        Assert.True(interests.Options.MatchUserVectors);
        // The chosen objective's whole-history fold-in points where the users' own vectors do.
        var chosen = interests.Options;
        chosen.MaxInterests = 1;
        chosen.MatchUserVectors = false;
        var whole = HistoryInterests.Build(graph, fit.ItemEmbeddings, users, chosen, threads: 1);
        foreach (int u in users)
        {
            var x = whole.Vectors(u);
            var own = fit.UserEmbeddings.ReadRow(u);
            Assert.True(VectorMath.Dot(x, own) / (VectorMath.Norm(x) * VectorMath.Norm(own)) > 0.99, $"user {u}");
        }
        // Scaling the user vectors scales the interests by the same factor (the fit of the objective uses directions only).
        var tripled = fit.UserEmbeddings.Clone();
        for (int k = 0; k < tripled.Values.Length; k++) tripled.Values[k] *= 3;
        var scaled = HistoryInterests.Build(graph, fit.ItemEmbeddings, users, matched, threads: 1, userEmbeddings: tripled);
        Assert.Equal(chosen.Regularization, scaled.Options.Regularization);
        Assert.Equal(chosen.UnobservedWeight, scaled.Options.UnobservedWeight);
        for (int q = 0; q < users.Length; q++)
            for (int k = 0; k < interests.Vectors(q).Length; k++)
                Assert.Equal(3 * interests.Vectors(q)[k], scaled.Vectors(q)[k], 1e-4 * (1 + Math.Abs(interests.Vectors(q)[k])));
        Assert.Equal("userEmbeddings", Assert.Throws<ArgumentException>(() => HistoryInterests.Build(graph, fit.ItemEmbeddings, users, matched)).ParamName);
    }

    [Fact]
    public void TheFittedFoldInIsTheModelsWhicheverUsersAreRead()
    {
        // Half the users keep their ALS vectors, the other half get vectors no fold-in reproduces: fitted on the users read,
        // the two halves would choose different objectives. The fit samples every user with a history instead, so the
        // protocol (its test users) and an ML.NET stage (every trained user) fit the same fold-in.
        var (graph, fit) = AlsOnTheCalibrationGrid(users: 60, iterations: 12);
        var vectors = fit.UserEmbeddings.Clone();
        var random = new Random(7);
        for (int u = 30; u < 60; u++)
            for (int k = 0; k < vectors.Dimension; k++) vectors.Values[u * vectors.Dimension + k] = (float)(random.NextDouble() - 0.5);
        var options = new HistoryInterestOptions { MatchUserVectors = true };
        (double, double) Fitted(IEnumerable<int> users)
        {
            var chosen = HistoryInterests.BuilderFor(graph, fit.ItemEmbeddings, users.ToArray(), options, threads: 1, vectors).Options;
            return (chosen.Regularization, chosen.UnobservedWeight);
        }
        var all = Fitted(Enumerable.Range(0, 60));
        Assert.Equal(all, Fitted(Enumerable.Range(0, 30)));
        Assert.Equal(all, Fitted(Enumerable.Range(30, 30)));
        Assert.Equal(all, Fitted([59]));
        // A user outside those read but inside the fit's sample is checked too: its vector would otherwise skew the fit unseen.
        vectors.Values[0] = float.NaN;
        Assert.Throws<ArgumentException>(() => Fitted([59]));
    }

    [Fact]
    public void ASubsetReadWithTheSharedBuilderGivesThoseUsersEntriesBitForBit()
    {
        // The protocol reads the history row's interests block by block with one builder, fitted to every test user's own
        // vector: each block's entries must be the whole read's.
        var (graph, fit) = AlsOnTheCalibrationGrid(users: 40, iterations: 6);
        int[] users = Enumerable.Range(0, graph.UserCount).Where(u => u % 3 != 1).ToArray();
        var options = new HistoryInterestOptions { MatchUserVectors = true, ItemsPerInterest = 3 };
        var whole = HistoryInterests.Build(graph, fit.ItemEmbeddings, users, options, threads: 2, userEmbeddings: fit.UserEmbeddings);
        var builder = HistoryInterests.BuilderFor(graph, fit.ItemEmbeddings, users, options, threads: 2, fit.UserEmbeddings);
        Assert.Equal(whole.Options.Regularization, builder.Options.Regularization);
        for (int start = 0; start < users.Length; start += 7)
        {
            int count = Math.Min(7, users.Length - start);
            var block = builder.Build(graph, new ArraySegment<int>(users, start, count), threads: 2, fit.UserEmbeddings);
            for (int q = 0; q < count; q++)
            {
                Assert.Equal(whole.InterestCount(start + q), block.InterestCount(q));
                Assert.Equal(whole.Vectors(start + q).ToArray(), block.Vectors(q).ToArray());
                Assert.Equal(whole.Weights(start + q).ToArray(), block.Weights(q).ToArray());
            }
        }
        Assert.Contains(users.Select((_, q) => whole.InterestCount(q)), c => c > 1);
    }

    [Fact]
    public void WeightsOnlyInterestsKeepCountsAndWeightsAndRefuseToReadVectors()
    {
        var (items, graph, interests) = UnevenHistories();
        var counts = Enumerable.Range(0, interests.Users.Count).Select(interests.InterestCount).ToArray();
        var weights = Enumerable.Range(0, interests.Users.Count).SelectMany(q => interests.Weights(q).ToArray()).ToArray();
        var lean = HistoryInterests.WeightsOnly(interests.Users, interests.MaxInterests, interests.Dimension, counts, weights, interests.Options);
        Assert.True(interests.HasVectors);
        Assert.False(lean.HasVectors);
        for (int q = 0; q < interests.Users.Count; q++)
        {
            Assert.Equal(interests.InterestCount(q), lean.InterestCount(q));
            Assert.Equal(interests.Weights(q).ToArray(), lean.Weights(q).ToArray());
        }
        var (a, b) = (interests.ToWeightsTable(graph.UserCount), lean.ToWeightsTable(graph.UserCount));
        foreach (int u in interests.Users)
        {
            Assert.Equal(a.Weights(u).ToArray(), b.Weights(u).ToArray());
            Assert.Equal(a.Clusters(u).ToArray(), b.Clusters(u).ToArray());
        }
        int withInterests = Array.FindIndex(counts, c => c > 0);
        Assert.Contains("weights only", Assert.Throws<InvalidOperationException>(() => lean.Vectors(withInterests).ToArray()).Message);
        Assert.Throws<InvalidOperationException>(() => lean.Matrix);
        Assert.Throws<InvalidOperationException>(() => lean.ToTables());
        Assert.Throws<ArgumentException>(() => HistoryInterests.WeightsOnly(interests.Users, interests.MaxInterests, interests.Dimension, counts, weights[1..], interests.Options));
        Assert.Throws<ArgumentException>(() => HistoryInterests.WeightsOnly(interests.Users, interests.MaxInterests, interests.Dimension, counts.AsSpan(1), weights, interests.Options));
    }

    [Fact]
    public void BadInputIsRejectedByName()
    {
        var (items, _, graph, _) = TestGraphs.TwoInterestUsers(groups: 3, itemsPerGroup: 8, users: 6, dim: 5);
        Assert.Equal("ItemsPerInterest", Assert.Throws<ArgumentOutOfRangeException>(() => HistoryInterests.Build(graph, items, [0], new HistoryInterestOptions { ItemsPerInterest = 0 })).ParamName);
        Assert.Equal("Regularization", Assert.Throws<ArgumentOutOfRangeException>(() => HistoryInterests.Build(graph, items, [0], new HistoryInterestOptions { Regularization = 0, UnobservedWeight = 0 })).ParamName);
        Assert.Equal("users", Assert.Throws<ArgumentOutOfRangeException>(() => HistoryInterests.Build(graph, items, [99])).ParamName);
        Assert.Equal("items", Assert.Throws<ArgumentException>(() => HistoryInterests.Build(graph, TestGraphs.RandomMatrix(5, 5, 1), [0])).ParamName);
        var interests = HistoryInterests.Build(graph, items, [0, 1]);
        var retriever = new HistoryInterestRetriever(items);
        Assert.Equal("interestWeight", Assert.Throws<ArgumentOutOfRangeException>(() => retriever.Retrieve(TestGraphs.RandomMatrix(6, 5, 2), interests, graph, 5, interestWeight: -1)).ParamName);
        Assert.Equal("userEmbeddings", Assert.Throws<ArgumentException>(() => retriever.Retrieve(TestGraphs.RandomMatrix(6, 4, 2), interests, graph, 5)).ParamName);
    }
}
