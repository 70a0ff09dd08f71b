using Microsoft.ML.MultiInterest.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.IO;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>GraphEmbedding's warnings on edge weights it takes as given but that are unlikely to be meant.</summary>
public class EdgeWeightWarningsTests
{
    /// <summary>The weight warnings of a fit on the test edges weighted by <paramref name="weightOf"/> (every warning in <paramref name="all"/>).</summary>
    /// <param name="weightOf">The weight of the edge on each row of the data.</param>
    /// <param name="withoutUser">Rows whose user id is emptied (key 0: skipped by the fit).</param>
    /// <param name="all">Every warning the fit logged.</param>
    private static List<string> WeightWarnings(Func<int, float> weightOf, Func<int, bool>? withoutUser, out List<string> all)
    {
        var ml = new MLContext(seed: 1);
        var warnings = MLNetTestData.Warnings(ml);
        var edges = MLNetTestData.Edges().Select((e, row) => new MLNetTestData.WeightedEdge
            { User = withoutUser?.Invoke(row) == true ? "" : e.User, Item = e.Item, Weight = weightOf(row) }).ToList();
        var raw = ml.Data.LoadFromEnumerable(edges);
        var keyed = MLNetTestData.KeyPipeline(ml).Fit(raw).Transform(raw);
        // The truncated SVD: its rankings do not depend on the weights' scale, so every case trains.
        var o = new GraphEmbeddingTrainer.Options { Algorithm = EmbeddingAlgorithm.TruncatedSvd, Dimension = 4, WeightColumnName = "Weight", Threads = 1 };
        ml.MultiInterest().GraphEmbedding(o).Fit(keyed);
        all = [.. warnings];
        return all.Where(w => w.Contains("option WeightColumnName", StringComparison.Ordinal)).ToList();
    }

    private static List<string> WeightWarnings(Func<int, float> weightOf) => WeightWarnings(weightOf, null, out _);

    [Fact]
    public void CountsOfOrdinarySpreadPassQuietly() =>
        Assert.Empty(WeightWarnings(row => 1 + row % 50));

    [Fact]
    public void OneHugeWeightIsNamedWithItsEdgeAndItsRatioToTheMedian()
    {
        var warning = Assert.Single(WeightWarnings(row => row == 7 ? 1e12f : 1));
        Assert.Contains("Column 'Weight' (option WeightColumnName): the largest weight, 1E+12 (row 7 of the data), is 1E+12 times the median (1)", warning, StringComparison.Ordinal);
        Assert.Contains("The weights are used as given.", warning, StringComparison.Ordinal);
    }

    /// <remarks>
    /// Rows without a user (key 0) carry no edge and are skipped: the heaviest edge is named by its row of the data, not by its
    /// place among the edges kept (a review found "edge 5" for the weight on row 7 after two such rows).
    /// </remarks>
    [Fact]
    public void TheHeaviestEdgeIsNamedByItsRowOfTheData_SkippedRowsCounted()
    {
        var warning = Assert.Single(WeightWarnings(row => row == 7 ? 1e12f : 1, row => row is 2 or 4, out var all));
        Assert.Contains("the largest weight, 1E+12 (row 7 of the data)", warning, StringComparison.Ordinal);
        Assert.True(all.Any(w => w.Contains("Skipped 2 ", StringComparison.Ordinal)), string.Join("\n", all));
    }

    [Fact]
    public void WeightsFarFromOneAreTold_TimestampsForExample()
    {
        var warning = Assert.Single(WeightWarnings(row => 1.7e9f + row));
        Assert.Contains("the median weight is 1.7E+09", warning, StringComparison.Ordinal);
        Assert.Contains("times weaker against the data", warning, StringComparison.Ordinal);
        // Heavy weights make plain SGD's steps larger (it diverges) and leave Adagrad's unchanged: the learning rate does not act weaker.
        Assert.DoesNotContain("learning rate", warning, StringComparison.Ordinal);
        Assert.Contains("with Optimizer = Sgd every step is 1.7E+09 times larger", warning, StringComparison.Ordinal);
        Assert.Contains("if it holds timestamps or ids, leave WeightColumnName unset", warning, StringComparison.Ordinal);
    }

    /// <summary>A weighted grid sweep over the test edges whose row 3 weighs 5e6 against 2 for every other (no refit).</summary>
    internal static void SweepOneHeavyWeight(MLContext ml)
    {
        var mi = ml.MultiInterest();
        var frame = new Microsoft.Data.Analysis.DataFrame(
            new Microsoft.Data.Analysis.StringDataFrameColumn("User", MLNetTestData.Edges().Select(e => e.User)),
            new Microsoft.Data.Analysis.StringDataFrameColumn("Item", MLNetTestData.Edges().Select(e => e.Item)),
            new Microsoft.Data.Analysis.SingleDataFrameColumn("Weight", MLNetTestData.Edges().Select((_, row) => row == 3 ? 5e6f : 2f)));
        var space = new SweepSearchSpace().Add("lambda", 0, 0.5);
        var options = new SweepOptions
        {
            Strategy = SweepStrategy.Grid, Cutoff = 5, Threads = 1,
            BaseSettings = new SweepSettings
            {
                Embedding = new GraphEmbeddingOptions { Algorithm = EmbeddingAlgorithm.TruncatedSvd, Dimension = 4 },
                Clustering = new SphericalKMeansOptions { Clusters = 4 },
                Components = 2,
            },
        };
        mi.Sweep(mi.LoadEdges(frame, weightColumnName: "Weight"), space, options, weightColumnName: "Weight", refitBest: false);
    }

    [Fact]
    public void TheSweepSaysTheSameOfItsWeights()
    {
        var ml = new MLContext(seed: 1);
        var warnings = MLNetTestData.Warnings(ml);
        SweepOneHeavyWeight(ml);
        Assert.Contains(warnings, w => w.Contains($"Column 'Weight' (option weightColumnName): the largest weight, 5E+06 (user '{MLNetTestData.Edges()[3].User}', item '{MLNetTestData.Edges()[3].Item}')", StringComparison.Ordinal)
            && w.Contains("2.5E+06 times the median (2)", StringComparison.Ordinal));
    }

    /// <summary>
    /// GraphData.WeightWarning, for callers training on the engine (which logs nothing): the same check and message in the
    /// caller's names, the edge named by its user and item; null for ordinary weights, and in the invariant culture.
    /// </summary>
    [Fact]
    public void TheEngineCallersCheckSaysTheSameInTheirNames()
    {
        var edges = MLNetTestData.Edges().Select((e, row) => new RawEdge(e.User, e.Item, row == 3 ? 5e6f : 2f)).ToList();
        var previous = System.Globalization.CultureInfo.CurrentCulture;
        System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
        try
        {
            string? warning = GraphData.WeightWarning(edges, "plays", "--weights");
            Assert.NotNull(warning);
            Assert.StartsWith($"Column 'plays' (option --weights): the largest weight, 5E+06 (user '{edges[3].User}', item '{edges[3].Item}'), is 2.5E+06 times the median (2)",
                warning, StringComparison.Ordinal);
            Assert.Contains("leave --weights unset", warning, StringComparison.Ordinal);
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = previous;
        }
        Assert.Null(GraphData.WeightWarning([.. edges.Select(e => e with { Weight = 1 + e.User.Length % 7 })], "plays", "--weights"));
    }
}
