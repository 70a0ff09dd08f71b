using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Embedding;

public class DcmTests
{
    private static GraphEmbeddingOptions Small(int interests, int dimension = 8) => new()
    {
        Algorithm = EmbeddingAlgorithm.DifferentiableClustering,
        Dimension = dimension,
        Epochs = 30,
        UniformNegatives = 8,
        LearningRate = 0.2f,
        Margin = 0.3f,
        Threads = 1,
        Seed = 3,
        Dcm = new DcmOptions { Interests = interests },
    };

    /// <summary>A model with random raw rows (n history rows, the target and N negatives, K seeds), padding left zero.</summary>
    private static DcmEdgeModel RandomModel(DcmOptions o, float margin, int n, int negatives, int d, int seed)
    {
        int stride = EmbeddingTable.PaddedStride(d);
        var model = new DcmEdgeModel(o, margin, n, negatives, stride);
        var random = new Random(seed);
        void Fill(float[] rows, int count)
        {
            for (int r = 0; r < count; r++)
                for (int j = 0; j < d; j++) rows[r * stride + j] = (float)(random.NextDouble() * 2 - 1);
        }
        Fill(model.History, n);
        Fill(model.Candidates, 1 + negatives);
        Fill(model.Seeds, o.Interests);
        return model;
    }

    [Theory]
    [InlineData(MixturePooling.Smoothmax, 1, 0.3f)]
    [InlineData(MixturePooling.Smoothmax, 3, 0.5f)]
    [InlineData(MixturePooling.RegularizedSmoothmax, 2, 0.2f)]
    [InlineData(MixturePooling.Max, 3, 1f)]
    public void GradientsMatchFiniteDifferences(MixturePooling pooling, int iterations, float tau)
    {
        var o = new DcmOptions { Interests = 3, Iterations = iterations, Pooling = pooling, Gamma = 0.5f, Theta = 0.2f, PriorWeight = 0.7f };
        const int n = 5, negatives = 3, d = 4;
        // A margin above every possible hinge keeps all hinges active, so the loss is smooth where it is probed.
        var model = RandomModel(o, 3f, n, negatives, d, seed: 17 + iterations);
        int stride = EmbeddingTable.PaddedStride(d);
        model.Compute(n, negatives, tau, 1.3f);
        var history = (float[])model.HistoryGradients.Clone();
        var candidates = (float[])model.CandidateGradients.Clone();
        var seeds = (float[])model.SeedGradients.Clone();
        float gradTau = model.TemperatureGradient;

        double Loss(float t) => model.Compute(n, negatives, t, 1.3f);
        void Check(float[] rows, float[] analytic, int count, string what)
        {
            for (int r = 0; r < count; r++)
                for (int j = 0; j < d; j++)
                {
                    int at = r * stride + j;
                    float keep = rows[at];
                    const float h = 2e-3f;
                    rows[at] = keep + h;
                    double plus = Loss(tau);
                    rows[at] = keep - h;
                    double minus = Loss(tau);
                    rows[at] = keep;
                    double numeric = (plus - minus) / (2 * h);
                    Assert.True(Math.Abs(numeric - analytic[at]) <= 2e-2 + 2e-2 * Math.Abs(numeric),
                        $"{what} row {r} dim {j}: numeric {numeric}, analytic {analytic[at]}");
                }
        }
        // Max pooling is piecewise linear: probe only where the arg-max cannot flip within the step (checked by the smooth cases).
        Check(model.History, history, n, "history");
        Check(model.Candidates, candidates, 1 + negatives, "candidates");
        Check(model.Seeds, seeds, o.Interests, "seeds");
        const float ht = 1e-3f;
        double numericTau = (Loss(tau + ht) - Loss(tau - ht)) / (2 * ht);
        Assert.True(Math.Abs(numericTau - gradTau) <= 2e-2 + 2e-2 * Math.Abs(numericTau), $"tau: numeric {numericTau}, analytic {gradTau}");
    }

    /// <summary>
    /// A fresh history's interests at a dimension that is not a multiple of the SIMD width equal those of the same vectors with
    /// zero coordinates added up to one: the soft k-means once ran on unpadded rows, its kernels reading and writing past each
    /// row (lists that changed from run to run, and a crash, for new users of a d = 12 or d = 101 model).
    /// </summary>
    [Theory]
    [InlineData(12)]
    [InlineData(101)]
    public void AFreshHistorysInterestsDoNotDependOnPaddingTheDimension(int d)
    {
        int padded = EmbeddingTable.PaddedStride(d) + System.Numerics.Vector<float>.Count;
        var random = new Random(7);
        EmbeddingMatrix Table(int rows, int width)
        {
            var m = new EmbeddingMatrix(rows, width);
            for (int r = 0; r < rows; r++)
            {
                var row = m.Row(r);
                for (int j = 0; j < d; j++) row[j] = (float)(random.NextDouble() * 2 - 1);
            }
            return m;
        }
        EmbeddingMatrix Widen(EmbeddingMatrix m)
        {
            var wide = new EmbeddingMatrix(m.Rows, padded);
            for (int r = 0; r < m.Rows; r++) m.ReadRow(r).CopyTo(wide.Row(r));
            return wide;
        }
        var items = Table(40, d).Normalized();
        var seeds = Table(4, d).Normalized();
        int[] history = [3, 9, 11, 17, 20, 21, 30, 38];
        var narrow = new DcmClustering(seeds, 0.3f, 1f, 3).InterestsOf(items, history);
        var wideTable = new DcmClustering(Widen(seeds), 0.3f, 1f, 3).InterestsOf(Widen(items), history);
        for (int run = 0; run < 3; run++)
        {
            var again = new DcmClustering(seeds, 0.3f, 1f, 3).InterestsOf(items, history);
            Assert.Equal(narrow.Embeddings(0).ToArray(), again.Embeddings(0).ToArray());
        }
        for (int c = 0; c < 4; c++) Assert.Equal(wideTable.Weights(0)[c], narrow.Weights(0)[c], 1e-6);
        for (int c = 0; c < 4; c++)
        {
            var expected = wideTable.Embeddings(0).Slice(c * padded, padded);
            var actual = narrow.Embeddings(0).Slice(c * d, d);
            for (int j = 0; j < d; j++) Assert.Equal(expected[j], actual[j], 1e-6f);
            for (int j = d; j < padded; j++) Assert.Equal(0f, expected[j]);
        }
        Assert.Throws<ArgumentException>(() => new SoftClustering(4, 3, 8, EmbeddingTable.PaddedStride(d) + 1));
    }

    [Fact]
    public void ARunWhoseItemVectorsCollapseToZero_IsReportedNotReturned()
    {
        // Weights of 1e30 under plain SGD drive every item (and seed) row to exactly zero; that model was returned.
        var users = new[] { 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3 };
        var items = new[] { 0, 1, 2, 0, 1, 3, 0, 2, 3, 1, 2, 3 };
        var weights = users.Select((_, e) => e % 3 == 0 ? 1e30f : 1f).ToArray();
        var graph = BipartiteGraph.FromEdges(4, 4, users, items, weights);
        var o = new GraphEmbeddingOptions { Algorithm = EmbeddingAlgorithm.DifferentiableClustering, Dimension = 2, Epochs = 3, Threads = 1, Optimizer = EmbeddingOptimizer.Sgd };
        var e = Assert.Throws<ArgumentException>(() => GraphEmbeddingTrainerEngine.Fit(graph, o));
        Assert.StartsWith("Training collapsed: every item vector is zero after dcm d=2 ", e.Message, StringComparison.Ordinal);
        Assert.Equal("options", e.ParamName);
        Assert.Contains("scale them down", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InterestsRecoverPlantedInterestsThatOneVectorCannot()
    {
        var (_, itemGroup, graph, userGroups) = TestGraphs.TwoInterestUsers(groups: 4, itemsPerGroup: 12, users: 40, itemsPerUserPerGroup: 5);
        var options = Small(4);
        options.Dcm.Temperature = 0.2f; // measured on this graph: τ 0.05 / 0.1 / 0.2 give mean cosines 0.57 / 0.70 / 0.82
        var k = GraphEmbeddingTrainerEngine.Fit(graph, options);
        var one = GraphEmbeddingTrainerEngine.Fit(graph, Small(1));
        Assert.Equal(EmbeddingAlgorithm.DifferentiableClustering, k.Algorithm);
        var m = MixtureEmbeddingTrainingTests.Recovery(k.Mixture!, itemGroup, userGroups);
        var s = MixtureEmbeddingTrainingTests.Recovery(one.Mixture!, itemGroup, userGroups);
        // Measured: every user's two interests have distinct nearest interests (40 of 40), mean cosine 0.82; one vector 0.57.
        Assert.True(m.DistinctShare >= 0.9, $"dcm: {m}, single: {s}");
        Assert.True(m.MeanCosine > 0.75, $"dcm: {m}, single: {s}");
        Assert.True(s.MeanCosine < 0.6, $"dcm: {m}, single: {s}");
    }

    [Fact]
    public void ResultIsAMixtureOfUnitInterestsWithMassWeights_AndDeterministicWithOneThread()
    {
        var planted = PlantedGraph.Create();
        var options = Small(3);
        options.Epochs = 2;
        var a = GraphEmbeddingTrainerEngine.Fit(planted.Train, options);
        var b = GraphEmbeddingTrainerEngine.Fit(planted.Train, options);
        var m = a.Mixture!;
        Assert.Equal(3, m.SourceComponents);
        Assert.Equal(1, m.DestinationComponents);
        Assert.Equal(planted.Train.UserCount * 3, m.UserComponents.Rows);
        for (int r = 0; r < m.UserComponents.Rows; r++) Assert.Equal(1f, VectorMath.Norm(m.UserComponents.ReadRow(r)), 4);
        for (int u = 0; u < m.UserCount; u++) Assert.Equal(1.0, m.WeightsOfUser(u).ToArray().Sum(), 9);
        Assert.Equal(m.UserComponents.Values, b.Mixture!.UserComponents.Values);
        Assert.Equal(m.ItemComponents.Values, b.Mixture!.ItemComponents.Values);
        var lists = new RoundRobinRetriever(m.ItemComponents).Retrieve(m.ToMixtureTable([0, 1, 2]), [0, 1, 2], planted.Train, [5], threads: 1)[0];
        Assert.Equal(5, lists.Counts[0]);
    }

    [Fact]
    public void LearnedTemperatureMoves_AndInvalidOptionsNameThemselves()
    {
        var planted = PlantedGraph.Create();
        var options = Small(2);
        options.Epochs = 2;
        options.Dcm.LearnTemperature = true;
        var result = GraphEmbeddingTrainerEngine.Fit(planted.Train, options);
        Assert.Contains("tau_learned=", result.Settings);
        Assert.DoesNotContain("tau_learned=0.1 ", result.Settings + " ");
        var bad = Small(2);
        bad.Dcm.Temperature = 0;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => GraphEmbeddingTrainerEngine.Fit(planted.Train, bad));
        Assert.Contains("Dcm.Temperature", e.Message);
        bad = Small(2);
        bad.Dcm.MaxHistory = 0;
        Assert.Contains("Dcm.MaxHistory", Assert.Throws<ArgumentOutOfRangeException>(() => GraphEmbeddingTrainerEngine.Fit(planted.Train, bad)).Message);
    }

    [Fact]
    public void WarmStartBeginsFromTheGivenItemVectors_MappedPastItemsWithoutEdges()
    {
        var planted = PlantedGraph.Create();
        var g = planted.Train;
        // One more item index with no edge: the start table covers the full range, training only the items with edges.
        var users = new List<int>();
        var items = new List<int>();
        for (int u = 0; u < g.UserCount; u++)
            foreach (int i in g.ItemsOf(u)) { users.Add(u); items.Add(i < 5 ? i : i + 1); }
        var graph = BipartiteGraph.FromEdges(g.UserCount, g.ItemCount + 1, users.ToArray(), items.ToArray());
        var random = new Random(11);
        var start = new EmbeddingMatrix(graph.ItemCount, 8);
        for (int v = 0; v < start.Values.Length; v++) start.Values[v] = (float)(random.NextDouble() * 2 - 1);
        var options = Small(2);
        options.Epochs = 1;
        options.LearningRate = 1e-6f; // the start barely moves, so the result shows where it began
        options.Dcm.InitialItems = start;
        var warm = GraphEmbeddingTrainerEngine.Fit(graph, options).Mixture!;
        var unit = start.Normalized();
        for (int i = 0; i < graph.ItemCount; i++)
        {
            if (i == 5) { Assert.Equal(0f, VectorMath.Norm(warm.ItemComponents.ReadRow(i))); continue; }
            for (int j = 0; j < 8; j++) Assert.InRange(warm.ItemComponents.ReadRow(i)[j] - unit.ReadRow(i)[j], -1e-3f, 1e-3f);
        }
        options.Dcm.InitialItems = null;
        var cold = GraphEmbeddingTrainerEngine.Fit(graph, options).Mixture!;
        Assert.True(VectorMath.Dot(cold.ItemComponents.ReadRow(0), unit.ReadRow(0)) < 0.9f);
    }

    [Fact]
    public void WarmStartOfTheWrongShapeOrWithNaNNamesTheOption()
    {
        var planted = PlantedGraph.Create();
        var options = Small(2);
        options.Dcm.InitialItems = new EmbeddingMatrix(planted.Train.ItemCount, 7);
        var e = Assert.Throws<ArgumentException>(() => GraphEmbeddingTrainerEngine.Fit(planted.Train, options));
        Assert.Contains("Dcm.InitialItems", e.Message);
        Assert.Contains("Dimension is 8", e.Message);
        options.Dcm.InitialItems = new EmbeddingMatrix(planted.Train.ItemCount - 1, 8);
        Assert.Contains("items", Assert.Throws<ArgumentException>(() => GraphEmbeddingTrainerEngine.Fit(planted.Train, options)).Message);
        var nan = new EmbeddingMatrix(planted.Train.ItemCount, 8);
        nan.Values[17] = float.NaN;
        options.Dcm.InitialItems = nan;
        Assert.Contains("Dcm.InitialItems", Assert.Throws<ArgumentException>(() => GraphEmbeddingTrainerEngine.Fit(planted.Train, options)).Message);
    }

    [Fact]
    public void WeightExponent_RaisesTheMassesToItsPower_AsReweightingTheExponentOneModel()
    {
        var planted = PlantedGraph.Create();
        var options = Small(3);
        options.Epochs = 2;
        var masses = GraphEmbeddingTrainerEngine.Fit(planted.Train, options);
        options.Dcm.WeightExponent = 0.5f;
        var sharpened = GraphEmbeddingTrainerEngine.Fit(planted.Train, options);
        options.Dcm.WeightExponent = 0f;
        var equal = GraphEmbeddingTrainerEngine.Fit(planted.Train, options).Mixture!;
        // Training does not read the weights, so one thread trains the same interests; only the weights differ.
        Assert.Equal(masses.Mixture!.UserComponents.Values, sharpened.Mixture!.UserComponents.Values);
        Assert.Equal(masses.Mixture.WithWeightExponent(0.5f).UserWeights, sharpened.Mixture.UserWeights);
        Assert.Equal(0.5f, sharpened.Dcm!.WeightExponent);
        int flatter = 0;
        for (int u = 0; u < planted.Train.UserCount; u++)
        {
            var m = masses.Mixture.WeightsOfUser(u);
            var s = sharpened.Mixture.WeightsOfUser(u);
            Assert.Equal(1.0, s.ToArray().Sum(), 9);
            for (int c = 0; c < 3; c++)
            {
                Assert.Equal(1.0 / 3, equal.WeightsOfUser(u)[c], 12);
                Assert.True(Math.Abs(s[c] - Math.Sqrt(m[c]) / m.ToArray().Sum(Math.Sqrt)) < 1e-12);
            }
            if (s.ToArray().Max() < m.ToArray().Max() - 1e-9) flatter++;
        }
        Assert.True(flatter > planted.Train.UserCount / 2, $"only {flatter} users' weights got flatter");
        var bad = Small(2);
        bad.Dcm.WeightExponent = -1;
        Assert.Contains("Dcm.WeightExponent", Assert.Throws<ArgumentOutOfRangeException>(() => GraphEmbeddingTrainerEngine.Fit(planted.Train, bad)).Message);
    }
}
