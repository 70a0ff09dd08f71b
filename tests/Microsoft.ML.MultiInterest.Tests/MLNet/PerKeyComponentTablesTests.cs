using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>
/// The learned multi-vector algorithms keep their component tables for every key: on a hashed id column they are refused
/// before training, naming the column; on a wide range they fit, with a warning of what the tables cost.
/// </summary>
public sealed class PerKeyComponentTablesTests
{
    /// <summary>An edge over key columns as wide as a hashed id column (2,000,000,000 values).</summary>
    public sealed class HashedEdge
    {
        [KeyType(2_000_000_000)] public uint User { get; set; }
        [KeyType(2_000_000_000)] public uint Item { get; set; }
    }

    /// <summary>40 users and 30 items spread over the hashed-width columns; each user engaged 6 items.</summary>
    internal static IDataView Hashed(MLContext ml)
    {
        var rng = new Random(7);
        var rows = new List<HashedEdge>();
        for (int u = 0; u < 40; u++)
            foreach (int i in Enumerable.Range(0, 30).OrderBy(_ => rng.Next()).Take(6))
                rows.Add(new HashedEdge { User = (uint)(u * 40_000_000 + 1), Item = (uint)(i * 60_000_000 + 1) });
        return ml.Data.LoadFromEnumerable(rows);
    }

    private static GraphEmbeddingTrainer.Options Options(EmbeddingAlgorithm algorithm) =>
        new() { Algorithm = algorithm, Dimension = 4, Threads = 1, Seed = 2, Epochs = 2, Dcm = new DcmOptions { Interests = 2 } };

    [Theory]
    [InlineData(EmbeddingAlgorithm.MixtureEmbedding)]
    [InlineData(EmbeddingAlgorithm.DifferentiableClustering)]
    public void OnAHashedIdColumn_TheLearnedComponents_AreRefusedNamingTheColumn(EmbeddingAlgorithm algorithm)
    {
        // Before: an OverflowException from spreading the trained tables, after training.
        var ml = new MLContext(seed: 1);
        var e = Assert.Throws<ArgumentException>(() => ml.MultiInterest().GraphEmbedding(Options(algorithm)).Fit(Hashed(ml)));
        Assert.Equal("UserColumnName", e.ParamName);
        Assert.Contains("Column 'User' (option UserColumnName) is a key over 2,000,000,000 values, of which 40 have edges", e.Message, StringComparison.Ordinal);
        Assert.Contains($"{algorithm} keeps its user tables for every key", e.Message, StringComparison.Ordinal);
        Assert.Contains("MapValueToKey", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OnAHashedIdColumn_ASingleVector_FitsTheKeysInUse()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.MultiInterest().GraphEmbedding(Options(EmbeddingAlgorithm.ImplicitAls)).Fit(Hashed(ml));
        Assert.Equal(30, model.ItemEmbeddings.Count);
        Assert.Equal(40, model.UserEmbeddings.Count);
    }

    [Theory]
    [InlineData(EmbeddingAlgorithm.ImplicitAls)]
    [InlineData(EmbeddingAlgorithm.TruncatedSvd)]
    public void OnAHashedIdColumn_KeepHoldout_OnASingleVectorThatKeepsNone_IsNotRefused(EmbeddingAlgorithm algorithm)
    {
        // KeepHoldout is Auto's only (the CLI sets it for every history-mmr fit): a fit that keeps no hold-out spreads nothing.
        var ml = new MLContext(seed: 1);
        var warnings = MLNetTestData.Warnings(ml);
        var options = Options(algorithm);
        options.KeepHoldout = true;
        var model = ml.MultiInterest().GraphEmbedding(options).Fit(Hashed(ml));
        Assert.Null(model.Holdout);
        Assert.Equal(30, model.ItemEmbeddings.Count);
        Assert.DoesNotContain(warnings, w => w.Contains("keeps its tables", StringComparison.Ordinal));
    }

    [Fact]
    public void OnAHashedIdColumn_AutosKeptHoldout_IsRefusedBeforeTraining()
    {
        // Auto's dimension is not known before its choice, but none of its trials is below min(8, AutoMaxDimension, users,
        // items) (plus Dimension with negative sampling): with d = 1 as the bound, 2,000,000,000 x 1 fits an array, so the
        // kept hold-out was only warned of, then spread after training (two graphs and two tables over every key). Checked
        // directly: the fit itself would try to allocate those graphs.
        var ml = new MLContext(seed: 1);
        int[] users = [.. Enumerable.Range(0, 40).SelectMany(u => Enumerable.Repeat(u * 40_000_000, 6))];
        int[] items = [.. Enumerable.Range(0, 240).Select(e => e % 30 * 60_000_000)];
        var active = ActiveSubgraph.FromEdges(2_000_000_000, 2_000_000_000, users, items, default, default, 1)!;
        var options = Options(EmbeddingAlgorithm.Auto);
        options.KeepHoldout = true;
        var engine = options.ToEngine(1);
        var e = Assert.Throws<ArgumentException>(() => PerKeyComponentTables.Check(ml, options, engine, active));
        Assert.Equal("UserColumnName", e.ParamName);
        Assert.Contains("a kept hold-out (KeepHoldout) keeps its user tables for every key", e.Message, StringComparison.Ordinal);

        // Without KeepHoldout Auto spreads nothing.
        options.KeepHoldout = false;
        PerKeyComponentTables.Check(ml, options, options.ToEngine(1), active);
    }

    [Fact]
    public void OnAWideKeyRange_TheComponents_FitWithAWarningOfTheirCost()
    {
        var ml = new MLContext(seed: 1);
        var warnings = MLNetTestData.Warnings(ml);
        var data = ml.Data.LoadFromEnumerable(MLNetTestData.WideKeyEdges());
        var model = ml.MultiInterest().GraphEmbedding(Options(EmbeddingAlgorithm.DifferentiableClustering)).Fit(data);
        Assert.NotNull(model.Mixture);
        var warning = Assert.Single(warnings, w => w.Contains("keeps its tables for every key of the range", StringComparison.Ordinal));
        Assert.Contains("10,000,000 user and 10,000,000 item keys, of which 40 and 30 have edges", warning, StringComparison.Ordinal);

        // The same edges on compact keys: nothing spread, no warning.
        warnings.Clear();
        ml.MultiInterest().GraphEmbedding(Options(EmbeddingAlgorithm.DifferentiableClustering)).Fit(MLNetTestData.Keyed(ml, out _));
        Assert.DoesNotContain(warnings, w => w.Contains("keeps its tables", StringComparison.Ordinal));
    }

    [Fact]
    public void TheDcmShortcut_FromAStartOnAHashedIdColumn_IsRefusedNamingTheStart()
    {
        // Before: an EmbeddingMatrix error from spreading the start to a table per key, naming nothing the caller gave.
        var ml = new MLContext(seed: 1);
        var start = ml.MultiInterest().GraphEmbedding(Options(EmbeddingAlgorithm.ImplicitAls)).Fit(Hashed(ml));
        var e = Assert.Throws<ArgumentException>(() => ml.MultiInterest().DifferentiableClustering(start));
        Assert.Equal("start", e.ParamName);
        Assert.Contains("2,000,000,000 keys, of which 30 have vectors", e.Message, StringComparison.Ordinal);
    }
}
