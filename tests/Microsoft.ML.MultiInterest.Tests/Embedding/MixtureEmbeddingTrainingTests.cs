using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Embedding;

public class MixtureEmbeddingTrainingTests
{
    private static GraphEmbeddingOptions Small(int sourceComponents, int dimension = 8) => new()
    {
        Algorithm = EmbeddingAlgorithm.MixtureEmbedding,
        Dimension = dimension,
        Epochs = 40,
        ChunkSize = 16,
        BatchNegatives = 16,
        UniformNegatives = 16,
        LearningRate = 0.2f,
        Threads = 1,
        Seed = 3,
        Mixture = new MixtureEmbeddingOptions { SourceComponents = sourceComponents },
    };

    /// <summary>
    /// For each user and each of its two planted interests (the normalised mean of the interest's learned item vectors),
    /// the cosine of the closest user component, and whether the two interests have different closest components.
    /// </summary>
    internal static (double WorstCosine, double MeanCosine, double DistinctShare) Recovery(MixtureEmbeddingResult m, int[] itemGroup, int[][] userGroups)
    {
        int groups = itemGroup.Max() + 1, d = m.Dimension;
        var centres = new EmbeddingMatrix(groups, d);
        for (int i = 0; i < itemGroup.Length; i++)
            for (int l = 0; l < m.DestinationComponents; l++)
                System.Numerics.Tensors.TensorPrimitives.Add(centres.Row(itemGroup[i]), m.ItemComponents.ReadRow(i * m.DestinationComponents + l), centres.Row(itemGroup[i]));
        centres = centres.Normalized();
        double worst = 1, sum = 0;
        int distinct = 0, count = 0;
        for (int u = 0; u < userGroups.Length; u++)
        {
            var nearest = new List<int>();
            foreach (int g in userGroups[u])
            {
                int best = 0;
                double bestCos = double.NegativeInfinity;
                for (int c = 0; c < m.SourceComponents; c++)
                {
                    double cos = VectorMath.Dot(m.UserComponents.ReadRow(u * m.SourceComponents + c), centres.ReadRow(g));
                    if (cos > bestCos) (best, bestCos) = (c, cos);
                }
                nearest.Add(best);
                worst = Math.Min(worst, bestCos);
                sum += bestCos;
                count++;
            }
            if (nearest.Distinct().Count() == nearest.Count) distinct++;
        }
        return (worst, sum / count, (double)distinct / userGroups.Length);
    }

    [Fact]
    public void ComponentsRecoverPlantedInterestsThatOneVectorCannot()
    {
        var (_, itemGroup, graph, userGroups) = TestGraphs.TwoInterestUsers(groups: 4, itemsPerGroup: 12, users: 40, itemsPerUserPerGroup: 5);
        GraphEmbeddingOptions Options(int components)
        {
            var o = Small(components);
            o.Epochs = 60;
            o.Margin = 0.3f; // a wider margin than the default pulls each interest's items together
            return o;
        }
        var m = Recovery(GraphEmbeddingTrainerEngine.Fit(graph, Options(MixtureEmbeddingDefaults.SourceComponents)).Mixture!, itemGroup, userGroups);
        var s = Recovery(GraphEmbeddingTrainerEngine.Fit(graph, Options(1)).Mixture!, itemGroup, userGroups);
        // Measured: mixture mean cosine 0.82 with distinct nearest components for 37 of 40 users; one vector 0.40.
        Assert.True(m.DistinctShare >= 0.9, $"mixture: {m}");
        Assert.True(m.MeanCosine > 0.75, $"mixture: {m}, single: {s}");
        // One vector sits between a user's two interests: it cannot be close to both.
        Assert.True(s.MeanCosine < 0.5, $"mixture: {m}, single: {s}");
    }

    /// <summary>The planted graph's held-out AUC, scoring a pair by its best component's cosine (C_d = 1).</summary>
    private static double PooledAuc(PlantedGraph planted, MixtureEmbeddingResult m)
    {
        float Score(int u, int i)
        {
            float best = float.NegativeInfinity;
            for (int c = 0; c < m.SourceComponents; c++) best = Math.Max(best, VectorMath.Dot(m.UserComponents.ReadRow(u * m.SourceComponents + c), m.ItemComponents.ReadRow(i)));
            return best;
        }
        long right = 0, total = 0;
        foreach (var (u, i) in planted.HeldOut)
        {
            float positive = Score(u, i);
            for (int j = 0; j < m.ItemCount; j++)
            {
                if (PlantedGraph.GroupOfItem(j) == PlantedGraph.GroupOfUser(u)) continue;
                total++;
                if (positive > Score(u, j)) right++;
            }
        }
        return (double)right / total;
    }

    [Fact]
    public void ResultCarriesUnitComponentsWeightsAndMeanTables()
    {
        var planted = PlantedGraph.Create();
        var options = Small(3);
        options.Epochs = 3;
        var result = GraphEmbeddingTrainerEngine.Fit(planted.Train, options);
        var m = result.Mixture!;
        Assert.Equal(EmbeddingAlgorithm.MixtureEmbedding, result.Algorithm);
        Assert.Equal(planted.Train.UserCount * 3, m.UserComponents.Rows);
        Assert.Equal(planted.Train.ItemCount, m.ItemComponents.Rows);
        Assert.Equal(planted.Train.UserCount, result.UserEmbeddings.Rows);
        for (int r = 0; r < m.UserComponents.Rows; r++) Assert.Equal(1f, VectorMath.Norm(m.UserComponents.ReadRow(r)), 4);
        for (int u = 0; u < m.UserCount; u++)
        {
            Assert.Equal(1.0, m.WeightsOfUser(u).ToArray().Sum(), 9);
            var mean = new float[8];
            for (int c = 0; c < 3; c++) System.Numerics.Tensors.TensorPrimitives.Add(mean, m.UserComponents.ReadRow(u * 3 + c), mean);
            for (int k = 0; k < 8; k++) Assert.Equal(mean[k] / 3, result.UserEmbeddings.ReadRow(u)[k], 1e-6f); // rounding of x/3 against x·(1/3)
        }
        Assert.Equal(m.ItemComponents.Values, result.ItemEmbeddings.Values);
        Assert.Equal(3, result.Epochs.Count);
    }

    [Theory]
    [InlineData(MixturePooling.Max)]
    [InlineData(MixturePooling.Smoothmax)]
    [InlineData(MixturePooling.RegularizedSmoothmax)]
    public void EveryPoolingLearnsPlantedCommunities(MixturePooling pooling)
    {
        var planted = PlantedGraph.Create();
        var options = Small(3, 16);
        options.Epochs = 15;
        options.Mixture.Pooling = pooling;
        options.Mixture.OneSidedNegatives = pooling != MixturePooling.Max; // both sides of the option are exercised
        var result = GraphEmbeddingTrainerEngine.Fit(planted.Train, options);
        double auc = PooledAuc(planted, result.Mixture!);
        // From random components the unregularised poolings move only the best pair per edge and learn more slowly, the
        // paper's reason for the regulariser (measured: max 0.71, smoothmax 0.72, regularised 0.9+ after 15 epochs).
        Assert.True(auc > (pooling == MixturePooling.RegularizedSmoothmax ? 0.85 : 0.65), $"{pooling}: AUC {auc}");
        Assert.True(result.Epochs[^1].MeanLoss < result.Epochs[0].MeanLoss);
    }

    [Fact]
    public void SingleThreadIsDeterministicPerSeed()
    {
        var graph = PlantedGraph.Create().Train;
        var options = Small(3);
        options.Epochs = 3;
        var a = GraphEmbeddingTrainerEngine.Fit(graph, options).Mixture!;
        var b = GraphEmbeddingTrainerEngine.Fit(graph, options).Mixture!;
        Assert.Equal(a.UserComponents.Values, b.UserComponents.Values);
        Assert.Equal(a.ItemComponents.Values, b.ItemComponents.Values);
        Assert.Equal(a.UserWeights, b.UserWeights);
        options.Seed++;
        var c = GraphEmbeddingTrainerEngine.Fit(graph, options).Mixture!;
        Assert.NotEqual(a.UserComponents.Values, c.UserComponents.Values);
    }

    [Fact]
    public void SeveralThreadsTrainToo()
    {
        var planted = PlantedGraph.Create();
        var options = Small(3, 16);
        // Hogwild updates make two threads' result vary run to run: at 15 epochs the AUC ranged 0.848-0.891 and once
        // failed the bar; at 25 it ranged 0.895-0.925 in 15 runs (one thread: 0.893).
        options.Epochs = 25;
        options.Threads = 2;
        double auc = PooledAuc(planted, GraphEmbeddingTrainerEngine.Fit(planted.Train, options).Mixture!);
        Assert.True(auc > 0.85, $"AUC {auc}");
    }

    [Fact]
    public void ValidationChoosesEpochsAndKeepsTheComponents()
    {
        var planted = PlantedGraph.Create();
        var options = Small(2, 16);
        options.Epochs = 6;
        options.ValidationFraction = 0.2;
        options.EarlyStoppingPatience = 2;
        var result = GraphEmbeddingTrainerEngine.Fit(planted.Train, options);
        Assert.NotNull(result.Mixture);
        Assert.NotEmpty(result.Validation);
        Assert.All(result.Validation, p => Assert.StartsWith("mixture-embedding epoch", p.Candidate));
        Assert.Equal(EmbeddingAlgorithm.MixtureEmbedding, result.Algorithm);
    }

    public static TheoryData<Action<MixtureEmbeddingOptions>, string> BadOptions => new()
    {
        { o => o.SourceComponents = 0, nameof(MixtureEmbeddingOptions.SourceComponents) },
        { o => o.DestinationComponents = 0, nameof(MixtureEmbeddingOptions.DestinationComponents) },
        { o => o.Pooling = (MixturePooling)7, nameof(MixtureEmbeddingOptions.Pooling) },
        { o => o.Gamma = 0f, nameof(MixtureEmbeddingOptions.Gamma) },
        { o => o.Gamma = float.NaN, nameof(MixtureEmbeddingOptions.Gamma) },
        { o => o.Theta = -0.1f, nameof(MixtureEmbeddingOptions.Theta) },
        { o => o.Theta = 1.5f, nameof(MixtureEmbeddingOptions.Theta) },
        { o => o.WeightGamma = 0f, nameof(MixtureEmbeddingOptions.WeightGamma) },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void BadOptionsAreNamed(Action<MixtureEmbeddingOptions> spoil, string name)
    {
        var options = Small(3);
        spoil(options.Mixture);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => GraphEmbeddingTrainerEngine.Fit(PlantedGraph.Create().Train, options));
        Assert.Equal(name, error.ParamName);
        Assert.Contains(name, error.Message);
    }

    [Fact]
    public void WarmStart_PutsItemsAtTheirStartAndEachUsersComponentsNearItsVector_Apart()
    {
        var planted = PlantedGraph.Create();
        var g = planted.Train;
        var random = new Random(5);
        EmbeddingMatrix Start(int rows)
        {
            var m = new EmbeddingMatrix(rows, 8);
            for (int v = 0; v < m.Values.Length; v++) m.Values[v] = (float)(random.NextDouble() * 2 - 1);
            return m;
        }
        var users = Start(g.UserCount);
        var items = Start(g.ItemCount);
        var options = Small(3);
        options.Epochs = 1;
        options.LearningRate = 1e-6f; // the start barely moves
        options.Mixture.InitialUsers = users;
        options.Mixture.InitialItems = items;
        var m = GraphEmbeddingTrainerEngine.Fit(g, options).Mixture!;
        var unitItems = items.Normalized();
        var unitUsers = users.Normalized();
        for (int i = 0; i < g.ItemCount; i++)
            Assert.True(VectorMath.Dot(unitItems.ReadRow(i), m.ItemComponents.ReadRow(i)) > 0.999f, $"item {i} did not start at its row");
        for (int u = 0; u < g.UserCount; u++)
        {
            for (int c = 0; c < 3; c++)
            {
                float toStart = VectorMath.Dot(unitUsers.ReadRow(u), m.UserComponents.ReadRow(u * 3 + c));
                Assert.InRange(toStart, 0.75f, 0.995f); // spread 0.5 puts a component about 27 degrees from its start
            }
            Assert.True(VectorMath.Dot(m.UserComponents.ReadRow(u * 3), m.UserComponents.ReadRow(u * 3 + 1)) < 0.999f, $"user {u}: components 0 and 1 coincide");
        }
        options.Mixture.InitialUsers = new EmbeddingMatrix(g.UserCount + 1, 8);
        var e = Assert.Throws<ArgumentException>(() => GraphEmbeddingTrainerEngine.Fit(g, options));
        Assert.Contains("Mixture.InitialUsers", e.Message);
    }
}
