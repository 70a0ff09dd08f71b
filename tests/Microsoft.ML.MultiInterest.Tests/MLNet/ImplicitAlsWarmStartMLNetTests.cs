using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary><see cref="GraphEmbeddingTrainer.Options.WarmStart"/>: a refit started from a previous model's item vectors, matched by raw id.</summary>
public sealed class ImplicitAlsWarmStartMLNetTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-warm-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Six planted groups of 20 items, 150 users of two groups each.</summary>
    private static List<MLNetTestData.Edge> PlantedEdges()
    {
        var (_, _, graph, _) = TestGraphs.TwoInterestUsers(groups: 6, itemsPerGroup: 20, users: 150, itemsPerUserPerGroup: 5, dim: 8, seed: 11);
        var edges = new List<MLNetTestData.Edge>();
        for (int u = 0; u < graph.UserCount; u++)
            foreach (int i in graph.ItemsOf(u)) edges.Add(new MLNetTestData.Edge { User = $"u{u}", Item = $"i{i}" });
        return edges;
    }

    private static GraphEmbeddingTrainer.Options Als(int iterations, ItemWarmStart? start = null, int seed = 3) => new()
    {
        Algorithm = EmbeddingAlgorithm.ImplicitAls, Dimension = 8, Threads = 1, Seed = seed, WarmStart = start,
        Als = new ImplicitAlsOptions { Iterations = iterations, Regularization = 0.01, UnobservedWeight = 0.05 },
    };

    private static GraphEmbeddingTransformer Fit(MLContext ml, IEnumerable<MLNetTestData.Edge> edges, GraphEmbeddingTrainer.Options options) =>
        MLNetTestData.KeyPipeline(ml).Append(ml.MultiInterest().GraphEmbedding(options)).Fit(ml.Data.LoadFromEnumerable(edges)).LastTransformer;

    /// <summary>The vector of item <paramref name="id"/> in <paramref name="model"/>.</summary>
    private static float[] Vector(GraphEmbeddingTransformer model, string id)
    {
        Assert.True(model.ItemEmbeddings.TryGetVector(model.ItemIds.ToList().IndexOf(id), out var vector));
        return vector.ToArray();
    }

    private static double RelativeDistance(float[] a, float[] b) =>
        Math.Sqrt(a.Zip(b, (x, y) => (double)(x - y) * (x - y)).Sum() / a.Sum(x => (double)x * x));

    [Fact]
    public void TheStartIsMatchedById_WhenShuffledEdgesGiveOtherKeys()
    {
        var ml = new MLContext(seed: 1);
        var edges = PlantedEdges();
        var previous = Fit(ml, edges, Als(30));
        var shuffled = edges.AsEnumerable().Reverse().ToList(); // the same edges, other keys: the last line's item gets key 1
        var warm = Fit(ml, shuffled, Als(2, ItemWarmStart.From(previous), seed: 77));
        var cold = Fit(ml, shuffled, Als(30, seed: 77));

        // The keys moved: matching by row would pair different items.
        Assert.NotEqual(previous.ItemIds, warm.ItemIds);
        var ids = previous.ItemIds.ToArray();
        double warmDistance = ids.Average(id => RelativeDistance(Vector(previous, id), Vector(warm, id)));
        double coldDistance = ids.Average(id => RelativeDistance(Vector(previous, id), Vector(cold, id)));
        Assert.True(warmDistance < 0.02, $"warm-started items moved {warmDistance:F4}");
        Assert.True(coldDistance > 0.3, $"a cold fit should land elsewhere ({coldDistance:F4})");
        Assert.Equal(new ItemWarmStartOutcome(ids.Length, 0, null), warm.WarmStart);
        Assert.Null(cold.WarmStart);
    }

    [Fact]
    public void TheObjectiveOfAWarmStartedFit_FitsAgainCold()
    {
        // GraphEmbeddingTransformer.Als is the settings without their start (InitialItems null): it must not carry the start's
        // WarmStartIterations either, which the options now refuse without a start.
        var ml = new MLContext(seed: 1);
        var edges = PlantedEdges();
        var start = ItemWarmStart.From(Fit(ml, edges, Als(5)));
        var options = Als(5, start);
        options.Als.WarmStartIterations = 2;
        var warm = Fit(ml, edges, options);
        Assert.Equal(2, warm.Epochs.Count);
        var als = warm.Als!;
        Assert.Null(als.InitialItems);
        var cold = Als(5);
        cold.Als = als;
        Assert.Equal(5, Fit(ml, edges, cold).Epochs.Count);
    }

    [Fact]
    public void WithAStart_TheLineOrderNoLongerMatters_UpToRounding()
    {
        // Cold, each key's draw follows the order ids first appear, so another line order is another model; warm-started
        // (every item known), only the order of floating-point sums still depends on the keys.
        var ml = new MLContext(seed: 1);
        var edges = PlantedEdges();
        var reversed = edges.AsEnumerable().Reverse().ToList();
        var start = ItemWarmStart.From(Fit(ml, edges, Als(5, seed: 21)));
        var inOrder = Fit(ml, edges, Als(6, start));
        var otherOrder = Fit(ml, reversed, Als(6, start));
        var coldInOrder = Fit(ml, edges, Als(6));
        var coldOtherOrder = Fit(ml, reversed, Als(6));
        var ids = inOrder.ItemIds.ToArray();
        double warm = ids.Max(id => RelativeDistance(Vector(inOrder, id), Vector(otherOrder, id)));
        double cold = ids.Average(id => RelativeDistance(Vector(coldInOrder, id), Vector(coldOtherOrder, id)));
        Assert.True(warm < 1e-4, $"warm-started fits of the same edges differ by {warm:G3}");
        Assert.True(cold > 0.1, $"cold fits of the same edges in another order should differ ({cold:G3})");
    }

    [Fact]
    public void NewItems_StartFromTheirDraw_AndAreCounted()
    {
        var ml = new MLContext(seed: 1);
        var edges = PlantedEdges();
        var previous = Fit(ml, edges, Als(4));
        var more = edges.Concat(Enumerable.Range(0, 5).Select(k => new MLNetTestData.Edge { User = $"u{k}", Item = $"new{k}" })).ToList();
        var warm = Fit(ml, more, Als(1, ItemWarmStart.From(previous)));
        Assert.Equal(new ItemWarmStartOutcome(120, 5, null), warm.WarmStart);
        Assert.True(warm.WarmStart!.Applied);
    }

    [Fact]
    public void AnItemWhoseGivenVectorIsZero_IsCountedAsNew_AsItStarts()
    {
        // The engine reads a zero row as "no start" (the item keeps its random draw), so the counts must say the same.
        var ml = new MLContext(seed: 1);
        var edges = PlantedEdges();
        var previous = Fit(ml, edges, Als(4));
        var items = previous.ItemEmbeddings;
        var zeroed = items.Vectors.Clone();
        zeroed.Row(0).Clear();
        var withZero = new ItemWarmStart(new KeyedEmbeddings(items.KeyCount, items.Rows.ToArray(), zeroed), previous.ItemIds);
        var ids = previous.ItemIds.ToArray();
        ids[items.Rows[0]] = "an id no fit has";
        var withoutIt = new ItemWarmStart(items, ids);

        var warm = Fit(ml, edges, Als(1, withZero));
        var reference = Fit(ml, edges, Als(1, withoutIt));
        Assert.Equal(reference.ItemEmbeddings.Vectors.Values, warm.ItemEmbeddings.Vectors.Values);
        Assert.Equal(new ItemWarmStartOutcome(119, 1, null), reference.WarmStart);
        Assert.Equal(reference.WarmStart, warm.WarmStart);
    }

    [Fact]
    public void AStartFromASavedModel_EqualsTheStartFromItsTransformer()
    {
        var ml = new MLContext(seed: 1);
        var edges = PlantedEdges();
        var raw = ml.Data.LoadFromEnumerable(edges);
        var chain = MLNetTestData.KeyPipeline(ml).Append(ml.MultiInterest().GraphEmbedding(Als(3))).Fit(raw);
        string path = Path.Combine(_directory, "previous.zip");
        ml.Model.Save(chain, raw.Schema, path);
        using var loaded = MultiInterestModel.Load(new MLContext(seed: 1), path);
        var fromZip = Fit(ml, edges, Als(1, ItemWarmStart.From(loaded.GraphEmbedding!)));
        var fromTransformer = Fit(ml, edges, Als(1, ItemWarmStart.From(chain.LastTransformer)));
        Assert.Equal(fromTransformer.ItemEmbeddings.Vectors.Values, fromZip.ItemEmbeddings.Vectors.Values);
    }

    [Fact]
    public void OnAWideKeyRange_TheStart_CostsWhatTheIdsInUseCost_NotTheKeys()
    {
        // KeyType(10_000_000) columns of 40 users and 30 items (names: the key numbers, made when read). The start was once
        // matched over every item key: a table of 10,000,000 rows and a name per key (600 MB and a second, against 20 MB cold).
        var ml = new MLContext(seed: 1);
        var rows = MLNetTestData.WideKeyEdges();
        var data = ml.Data.LoadFromEnumerable(rows);
        var mi = ml.MultiInterest();
        GraphEmbeddingTrainer.Options Wide(int iterations, ItemWarmStart? start) => new()
        {
            Algorithm = EmbeddingAlgorithm.ImplicitAls, Dimension = 4, Threads = 1, Seed = 2, WarmStart = start,
            Als = new ImplicitAlsOptions { Iterations = iterations, Regularization = 0.01, UnobservedWeight = 0.05 },
        };
        var previous = mi.GraphEmbedding(Wide(30, null)).Fit(data);
        var start = ItemWarmStart.From(previous);
        long before = GC.GetAllocatedBytesForCurrentThread();
        mi.GraphEmbedding(Wide(1, null)).Fit(data);
        long cold = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        var warm = mi.GraphEmbedding(Wide(1, start)).Fit(data);
        long warmAllocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(warmAllocated - cold < 10_000_000, $"the warm fit allocated {warmAllocated:N0} bytes, the cold one {cold:N0}");
        Assert.Equal(new ItemWarmStartOutcome(30, 0, null), warm.WarmStart);
        // Started where the previous fit ended: one more alternation barely moves the items.
        float[] At(GraphEmbeddingTransformer model, int row)
        {
            Assert.True(model.ItemEmbeddings.TryGetVector(row, out var vector));
            return vector.ToArray();
        }
        double moved = Enumerable.Range(0, 30).Select(i => i * 1000 + 1).Average(row => RelativeDistance(At(previous, row), At(warm, row)));
        Assert.True(moved < 0.05, $"warm-started items moved {moved:F4}");
    }

    [Fact]
    public void BadStarts_AreRefused_NamingTheOption()
    {
        var ml = new MLContext(seed: 1);
        var previous = Fit(ml, PlantedEdges(), Als(1));
        var start = ItemWarmStart.From(previous);
        var mi = ml.MultiInterest();

        var dimension = Als(1, start);
        dimension.Dimension = 6;
        var e = Assert.Throws<ArgumentException>(() => mi.GraphEmbedding(dimension));
        Assert.Equal("Dimension", e.ParamName);
        Assert.Contains("dimension 8, but Dimension is 6", e.Message, StringComparison.Ordinal);

        var svd = Als(1, start);
        svd.Algorithm = EmbeddingAlgorithm.TruncatedSvd;
        Assert.Equal("WarmStart", Assert.Throws<ArgumentException>(() => mi.GraphEmbedding(svd)).ParamName);

        var both = Als(1, start);
        both.Als.InitialItems = new EmbeddingMatrix(120, 8);
        Assert.Equal("WarmStart", Assert.Throws<ArgumentException>(() => mi.GraphEmbedding(both)).ParamName);

        var items = previous.ItemEmbeddings;
        Assert.Contains("item ids for", Assert.Throws<ArgumentException>(() => new ItemWarmStart(items, previous.ItemIds.Skip(1).ToArray())).Message, StringComparison.Ordinal);
        var repeated = previous.ItemIds.ToArray();
        repeated[5] = repeated[4];
        Assert.Contains($"'{repeated[4]}' names two rows", Assert.Throws<ArgumentException>(() => new ItemWarmStart(items, repeated)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_LogsWhyTheStartWasNotApplied_AndFitsAsWithoutIt()
    {
        var ml = new MLContext(seed: 1);
        var warnings = MLNetTestData.Warnings(ml);
        var messages = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var edges = PlantedEdges();
        var previous = Fit(ml, edges, Als(2)); // d = 8: Auto's implicit ALS here is d = 120, its SVD at most AutoMaxDimension
        ml.Log += (_, e) => messages.Enqueue(e.Message);
        GraphEmbeddingTrainer.Options Auto(ItemWarmStart? start) => new() { Threads = 1, Seed = 5, AutoMaxDimension = 6, WarmStart = start };
        var cold = Fit(ml, edges, Auto(null));
        var warm = Fit(ml, edges, Auto(ItemWarmStart.From(previous)));
        Assert.False(warm.WarmStart!.Applied);
        Assert.Equal(0, warm.WarmStart.StartedItems);
        Assert.Contains("the start's d = 8", warm.WarmStart.NotAppliedReason, StringComparison.Ordinal);
        Assert.Contains(warnings, w => w.Contains("Warm start not applied", StringComparison.Ordinal));
        // Before the fit the items matched are said to start from the vectors only if Auto's choice allows it, not as a fact
        // the warning then contradicts ("120 of 120 items start from the given item vectors", then "Warm start not applied").
        Assert.DoesNotContain(messages, m => m.Contains("start from the given item vectors", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("start from it if Auto chooses implicit ALS at d = 8", StringComparison.Ordinal));
        Assert.Equal(cold.ItemEmbeddings.Vectors.Values, warm.ItemEmbeddings.Vectors.Values);
    }
}
