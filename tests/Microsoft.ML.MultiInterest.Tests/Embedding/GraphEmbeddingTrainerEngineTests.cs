using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Embedding;

public class GraphEmbeddingTrainerEngineTests
{
    [Fact]
    public void DefaultLossRecoversPlantedCommunities()
    {
        var planted = PlantedGraph.Create();
        var result = GraphEmbeddingTrainerEngine.Fit(planted.Train, PlantedGraph.SmallOptions());
        Assert.Equal(planted.Train.UserCount, result.UserEmbeddings.Rows);
        Assert.Equal(planted.Train.ItemCount, result.ItemEmbeddings.Rows);
        Assert.Equal(16, result.UserEmbeddings.Dimension);
        Assert.True(planted.HeldOutAuc(result) > 0.9, $"AUC {planted.HeldOutAuc(result)}");
    }

    [Theory]
    [InlineData(EmbeddingLoss.Logistic, EmbeddingOptimizer.Adagrad, 0.03f)]
    [InlineData(EmbeddingLoss.Ranking, EmbeddingOptimizer.Adagrad, 0.01f)]
    [InlineData(EmbeddingLoss.Softmax, EmbeddingOptimizer.Adagrad, 0.03f)]
    [InlineData(EmbeddingLoss.Logistic, EmbeddingOptimizer.Sgd, 0.1f)]
    [InlineData(EmbeddingLoss.Ranking, EmbeddingOptimizer.Sgd, 0.01f)]
    [InlineData(EmbeddingLoss.Softmax, EmbeddingOptimizer.Sgd, 0.03f)]
    public void EveryLossAndOptimizerTrains(EmbeddingLoss loss, EmbeddingOptimizer optimizer, float learningRate)
    {
        var planted = PlantedGraph.Create();
        var options = PlantedGraph.SmallOptions();
        options.Loss = loss;
        options.Optimizer = optimizer;
        options.LearningRate = learningRate;
        var result = GraphEmbeddingTrainerEngine.Fit(planted.Train, options);
        double auc = planted.HeldOutAuc(result);
        Assert.True(auc > 0.8, $"{loss}/{optimizer}: AUC {auc}"); // random embeddings give about 0.5
        Assert.True(result.Epochs[^1].MeanLoss < result.Epochs[0].MeanLoss, $"{loss}/{optimizer}: loss did not fall");
    }

    [Fact]
    public void DegreeNegativesTrain()
    {
        var planted = PlantedGraph.Create();
        var options = PlantedGraph.SmallOptions();
        options.UniformNegatives = 0;
        options.BatchNegatives = 0;
        options.DegreeNegatives = 16;
        Assert.True(planted.HeldOutAuc(GraphEmbeddingTrainerEngine.Fit(planted.Train, options)) > 0.85);
    }

    [Fact]
    public void LossDecreasesOverEpochs()
    {
        var planted = PlantedGraph.Create();
        var stats = new List<EpochStats>();
        var result = GraphEmbeddingTrainerEngine.Fit(planted.Train, PlantedGraph.SmallOptions(), new SyncProgress(stats.Add));
        Assert.Equal(30, result.Epochs.Count);
        Assert.Equal(result.Epochs, stats);
        Assert.Equal(Enumerable.Range(1, 30), stats.Select(s => s.Epoch));
        Assert.True(stats[^1].MeanLoss < 0.75 * stats[0].MeanLoss, $"first {stats[0].MeanLoss}, last {stats[^1].MeanLoss}");
        Assert.True(stats.Skip(20).Average(s => s.MeanLoss) < stats.Skip(5).Take(5).Average(s => s.MeanLoss));
        Assert.All(stats, s => Assert.True(s.Seconds >= 0 && s.EdgesPerSecond > 0));
    }

    [Fact]
    public void SingleThreadIsDeterministic()
    {
        var graph = PlantedGraph.Create().Train;
        var options = PlantedGraph.SmallOptions();
        options.Epochs = 5;
        var a = GraphEmbeddingTrainerEngine.Fit(graph, options);
        var b = GraphEmbeddingTrainerEngine.Fit(graph, options);
        Assert.Equal(a.UserEmbeddings.Values, b.UserEmbeddings.Values);
        Assert.Equal(a.ItemEmbeddings.Values, b.ItemEmbeddings.Values);

        options.Seed++;
        var c = GraphEmbeddingTrainerEngine.Fit(graph, options);
        Assert.NotEqual(a.UserEmbeddings.Values, c.UserEmbeddings.Values);
        Assert.NotEqual(a.ItemEmbeddings.Values, c.ItemEmbeddings.Values);
    }

    [Fact]
    public void MultiThreadedTrainingLearns()
    {
        var planted = PlantedGraph.Create();
        var options = PlantedGraph.SmallOptions();
        options.Threads = 2;
        var result = GraphEmbeddingTrainerEngine.Fit(planted.Train, options);
        Assert.True(planted.HeldOutAuc(result) > 0.9);
        Assert.All(result.UserEmbeddings.Values, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void EdgeWeightsChangeTheResult()
    {
        var planted = PlantedGraph.Create(weighted: true);
        var options = PlantedGraph.SmallOptions();
        options.Epochs = 5;
        var unit = GraphEmbeddingTrainerEngine.Fit(planted.Train, options);

        // Same edges, but the noise (cross-community) edges weigh 10x.
        var graph = planted.Train;
        var users = new List<int>();
        var items = new List<int>();
        var weights = new List<float>();
        for (int u = 0; u < graph.UserCount; u++)
        {
            foreach (int i in graph.ItemsOf(u))
            {
                users.Add(u);
                items.Add(i);
                weights.Add(PlantedGraph.GroupOfItem(i) == PlantedGraph.GroupOfUser(u) ? 1f : 10f);
            }
        }
        var heavy = BipartiteGraph.FromEdges(graph.UserCount, graph.ItemCount, users.ToArray(), items.ToArray(), weights.ToArray());
        var weighted = GraphEmbeddingTrainerEngine.Fit(heavy, options);
        Assert.NotEqual(unit.UserEmbeddings.Values, weighted.UserEmbeddings.Values);

        // The heavy noise edges must score higher, relative to in-community edges, than they do without weights.
        Assert.True(NoiseMargin(heavy, weighted) > NoiseMargin(heavy, unit) + 0.05,
            $"weighted {NoiseMargin(heavy, weighted)}, unit {NoiseMargin(heavy, unit)}");
    }

    /// <summary>Fraction of users whose cross-community training item outscores their mean in-community training item.</summary>
    private static double NoiseMargin(BipartiteGraph graph, GraphEmbeddingResult result)
    {
        int above = 0;
        for (int u = 0; u < graph.UserCount; u++)
        {
            var query = result.UserEmbeddings.ReadRow(u);
            double inside = 0, noise = 0;
            int count = 0;
            foreach (int i in graph.ItemsOf(u))
            {
                float s = VectorMath.Dot(query, result.ItemEmbeddings.ReadRow(i));
                if (PlantedGraph.GroupOfItem(i) == PlantedGraph.GroupOfUser(u)) { inside += s; count++; }
                else noise = s;
            }
            if (noise > inside / count) above++;
        }
        return (double)above / graph.UserCount;
    }

    [Fact]
    public void EmptyGraphIsRejected()
    {
        var empty = BipartiteGraph.FromEdges(3, 4, ReadOnlySpan<int>.Empty, ReadOnlySpan<int>.Empty);
        var e = Assert.Throws<ArgumentException>(() => GraphEmbeddingTrainerEngine.Fit(empty, new GraphEmbeddingOptions()));
        Assert.Contains("no edges", e.Message);
        Assert.Equal("graph", e.ParamName);
    }

    [Fact]
    public void UsersAndItemsWithoutEdgesGetRows()
    {
        var graph = BipartiteGraph.FromEdges(5, 6, new[] { 0, 1 }, new[] { 2, 3 });
        var options = PlantedGraph.SmallOptions();
        options.Epochs = 2;
        var result = GraphEmbeddingTrainerEngine.Fit(graph, options);
        Assert.Equal(5, result.UserEmbeddings.Rows);
        Assert.Equal(6, result.ItemEmbeddings.Rows);
        Assert.All(result.ItemEmbeddings.Values, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void CancellationStopsTraining()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            GraphEmbeddingTrainerEngine.Fit(PlantedGraph.Create().Train, PlantedGraph.SmallOptions(), ct: cts.Token));
    }

    private sealed class SyncProgress(Action<EpochStats> report) : IProgress<EpochStats>
    {
        public void Report(EpochStats value) => report(value);
    }
}
