using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>
/// Item starts given to <see cref="GraphEmbeddingTrainer"/> (an input column, or the algorithm's table) on key ranges with
/// unused keys: they start the items with edges as they would on compact keys, and cost what those items cost.
/// </summary>
public sealed class ItemStartsOnSparseKeysTests
{
    private const int Users = 40, Items = 30, Dimension = 4;

    /// <summary>An edge over wide keys (every 1,000th in use), with its item's start vector.</summary>
    public sealed class WideEdge
    {
        [KeyType(10_000_000)] public uint User { get; set; }
        [KeyType(10_000_000)] public uint Item { get; set; }
        [VectorType(Dimension)] public float[] Start { get; set; } = [];
    }

    /// <summary>An edge over keys of which every third item key is in use.</summary>
    public sealed class SparseEdge
    {
        [KeyType(Users * 2)] public uint User { get; set; }
        [KeyType(Items * 3)] public uint Item { get; set; }
        [VectorType(Dimension)] public float[] Start { get; set; } = [];
    }

    /// <summary>The same edges over 40 and 30 keys, every key in use.</summary>
    public sealed class CompactEdge
    {
        [KeyType(Users)] public uint User { get; set; }
        [KeyType(Items)] public uint Item { get; set; }
        [VectorType(Dimension)] public float[] Start { get; set; } = [];
    }

    /// <summary>Each user engaged 6 of the 30 items; item i's start vector is a fixed function of i.</summary>
    private static List<(int User, int Item, float[] Start)> Edges()
    {
        var rng = new Random(7);
        var edges = new List<(int, int, float[])>();
        for (int u = 0; u < Users; u++)
            foreach (int i in Enumerable.Range(0, Items).OrderBy(_ => rng.Next()).Take(6))
                edges.Add((u, i, StartOf(i)));
        return edges;
    }

    private static float[] StartOf(int item) => [MathF.Sin(item + 1), MathF.Cos(3 * item), 0.5f - item % 3 * 0.25f, 0.1f * (item % 5)];

    private static IDataView Wide(MLContext ml) =>
        ml.Data.LoadFromEnumerable(Edges().Select(e => new WideEdge { User = (uint)(e.User * 1000 + 1), Item = (uint)(e.Item * 1000 + 1), Start = e.Start }));

    private static IDataView Sparse(MLContext ml) =>
        ml.Data.LoadFromEnumerable(Edges().Select(e => new SparseEdge { User = (uint)(e.User * 2 + 1), Item = (uint)(e.Item * 3 + 1), Start = e.Start }));

    private static IDataView Compact(MLContext ml) =>
        ml.Data.LoadFromEnumerable(Edges().Select(e => new CompactEdge { User = (uint)e.User, Item = (uint)e.Item, Start = e.Start }));

    /// <summary>The item vectors of the keys in use, in item order (<paramref name="rowOf"/>: item i's row, the value its edges hold).</summary>
    private static float[][] ItemVectors(GraphEmbeddingTransformer model, Func<int, int> rowOf) => Enumerable.Range(0, Items).Select(i =>
    {
        Assert.True(model.ItemEmbeddings.TryGetVector(rowOf(i), out var vector), $"item {i} has no vector");
        return vector.ToArray();
    }).ToArray();

    private static GraphEmbeddingTrainer.Options Dcm(string? column = "Start", EmbeddingMatrix? table = null) => new()
    {
        Algorithm = EmbeddingAlgorithm.DifferentiableClustering, Dimension = Dimension, Epochs = 2, Threads = 1, Seed = 5,
        InitialItemsColumnName = column, Dcm = new DcmOptions { Interests = 2, InitialItems = table },
    };

    [Fact]
    public void AColumnStart_OnAWideKeyRange_FitsAsOnCompactKeys_AndCostsWhatTheIdsInUseCost()
    {
        // The column's start was once spread to a table per item key (10,000,000 x 4 floats, 160 MB) before the engine kept
        // the rows of the items with edges.
        var ml = new MLContext(seed: 1);
        var mi = ml.MultiInterest();
        var wide = Wide(ml);
        mi.GraphEmbedding(Dcm()).Fit(wide); // warm-up: the first fit pays for the code it loads
        long before = GC.GetAllocatedBytesForCurrentThread();
        mi.GraphEmbedding(Dcm(column: null)).Fit(wide);
        long cold = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        var started = mi.GraphEmbedding(Dcm()).Fit(wide);
        long startedAllocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(startedAllocated - cold < 10_000_000, $"the started fit allocated {startedAllocated:N0} bytes, the cold one {cold:N0}");

        var compact = mi.GraphEmbedding(Dcm()).Fit(Compact(ml));
        Assert.Equal(ItemVectors(compact, i => i), ItemVectors(started, i => i * 1000 + 1));
        var coldCompact = mi.GraphEmbedding(Dcm(column: null)).Fit(Compact(ml));
        Assert.NotEqual(ItemVectors(compact, i => i), ItemVectors(coldCompact, i => i)); // the start mattered
    }

    [Fact]
    public void TheAlgorithmsTable_OnKeysWithGaps_StartsTheItemsWithEdges_AsTheirRowsDoOnCompactKeys()
    {
        // One row per item key (90; items in use at every third key), as a table of the full range is given. The ML.NET
        // trainer once checked it against the 30 items with edges and refused it.
        var ml = new MLContext(seed: 1);
        var mi = ml.MultiInterest();
        var full = new EmbeddingMatrix(Items * 3, Dimension);
        var compactRows = new EmbeddingMatrix(Items, Dimension);
        for (int i = 0; i < Items; i++)
        {
            StartOf(i).CopyTo(full.Row(i * 3 + 1));
            StartOf(i).CopyTo(compactRows.Row(i));
        }
        for (int row = 0; row < Items * 3; row += 3) full.Row(row).Fill(99f); // rows of unused keys: never read

        GraphEmbeddingTrainer.Options Als(EmbeddingMatrix table) => new()
        {
            Algorithm = EmbeddingAlgorithm.ImplicitAls, Dimension = Dimension, Threads = 1, Seed = 5,
            Als = new ImplicitAlsOptions { Iterations = 2, InitialItems = table, WarmStartIterations = 1 },
        };
        var sparse = mi.GraphEmbedding(Als(full)).Fit(Sparse(ml));
        var compact = mi.GraphEmbedding(Als(compactRows)).Fit(Compact(ml));
        Assert.Equal(ItemVectors(compact, i => i), ItemVectors(sparse, i => i * 3 + 1));

        var dcmSparse = mi.GraphEmbedding(Dcm(column: null, table: full)).Fit(Sparse(ml));
        var dcmCompact = mi.GraphEmbedding(Dcm(column: null, table: compactRows)).Fit(Compact(ml));
        Assert.Equal(ItemVectors(dcmCompact, i => i), ItemVectors(dcmSparse, i => i * 3 + 1));
        Assert.Equal(ItemVectors(dcmCompact, i => i), ItemVectors(mi.GraphEmbedding(Dcm()).Fit(Sparse(ml)), i => i * 3 + 1)); // = the column's start

        var wrongRows = mi.GraphEmbedding(Als(compactRows));
        var e = Assert.Throws<ArgumentException>(() => wrongRows.Fit(Sparse(ml)));
        Assert.Contains("Als.InitialItems is 30 x 4; the graph has 90 items", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WarmStartIterations_WithoutAStart_AreRefused_NotIgnored()
    {
        var mi = new MLContext(seed: 1).MultiInterest();
        var options = new GraphEmbeddingTrainer.Options
        {
            Algorithm = EmbeddingAlgorithm.ImplicitAls, Dimension = Dimension, Als = new ImplicitAlsOptions { WarmStartIterations = 3 },
        };
        var e = Assert.Throws<ArgumentException>(() => mi.GraphEmbedding(options));
        Assert.Equal("Als", e.ParamName);
        Assert.Contains("Als.WarmStartIterations is 3, but there is no start", e.Message, StringComparison.Ordinal);
        options.Algorithm = EmbeddingAlgorithm.Auto;
        Assert.Throws<ArgumentException>(() => mi.GraphEmbedding(options));
        options.Algorithm = EmbeddingAlgorithm.TruncatedSvd; // ALS settings mean nothing to the SVD: ignored as the rest of them are
        mi.GraphEmbedding(options);
    }
}
