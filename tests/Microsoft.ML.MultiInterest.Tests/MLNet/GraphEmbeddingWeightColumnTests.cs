using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>
/// GraphEmbedding's edge weights: a <c>Weight</c> column left unread is warned of, as <c>Sweep</c> warns of it, a
/// Double weight column is read as its Single values, and unweighted rows repeating a pair are said to count once.
/// </summary>
public class GraphEmbeddingWeightColumnTests
{
    private sealed class DoubleWeightedEdge
    {
        public string User { get; set; } = "";

        public string Item { get; set; } = "";

        public double Weight { get; set; }
    }

    private static GraphEmbeddingTrainer.Options Als(string? weightColumn) =>
        new() { Algorithm = EmbeddingAlgorithm.ImplicitAls, Dimension = 4, Threads = 1, Seed = 2, WeightColumnName = weightColumn };

    private static float Weight(int i) => 1 + (i % 3) * 0.5f;

    [Fact]
    public void AWeightColumnNotNamedByWeightColumnName_IsWarnedOf()
    {
        var ml = new MLContext(seed: 1);
        var warnings = MLNetTestData.Warnings(ml);
        var rows = MLNetTestData.Edges().Select((e, i) => new MLNetTestData.WeightedEdge { User = e.User, Item = e.Item, Weight = Weight(i) }).ToList();
        var raw = ml.Data.LoadFromEnumerable(rows);
        var keyed = MLNetTestData.KeyPipeline(ml).Fit(raw).Transform(raw);
        ml.MultiInterest().GraphEmbedding(Als(null)).Fit(keyed);
        Assert.Contains(warnings, w => w.Contains("The edges have a 'Weight' column, but WeightColumnName is not set: GraphEmbedding trains on unweighted edges")
            && w.Contains("WeightColumnName = \"Weight\""));

        // Named, or absent: no such warning.
        var named = MLNetTestData.Warnings(ml);
        ml.MultiInterest().GraphEmbedding(Als("Weight")).Fit(keyed);
        Assert.DoesNotContain(named, w => w.Contains("WeightColumnName is not set"));
    }

    [Fact]
    public void UnweightedRowsRepeatingAPair_AreWarnedOf_AndTrainAsThePairOnce()
    {
        var ml = new MLContext(seed: 1);
        var edges = MLNetTestData.Edges();
        var doubled = edges.Concat(edges.Take(3)).ToList();
        var keys = MLNetTestData.KeyPipeline(ml).Fit(ml.Data.LoadFromEnumerable(edges));
        float[][] Vectors(List<MLNetTestData.Edge> rows)
        {
            var keyed = keys.Transform(ml.Data.LoadFromEnumerable(rows));
            return MLNetTestData.Vectors(ml.MultiInterest().GraphEmbedding(Als(null)).Fit(keyed).Transform(keyed), "UserEmbedding");
        }
        var warnings = MLNetTestData.Warnings(ml);
        var once = Vectors(edges);
        Assert.DoesNotContain(warnings, w => w.Contains("repeat a (user, item) pair"));
        var twice = Vectors(doubled);
        Assert.Contains(warnings, w => w.Contains($"3 of the {doubled.Count} edge rows repeat a (user, item) pair an earlier row holds")
            && w.Contains($"({edges.Count} edges)") && w.Contains("WeightColumnName"));
        // The same vectors: the rows of the original edges read the same users' vectors (the repeats add rows, not edges).
        Assert.Equal(once, twice.Take(once.Length));
        // Weighted, repeats add their weights, as documented: nothing to warn of.
        var weighted = MLNetTestData.Warnings(ml);
        var rows = doubled.Select(e => new MLNetTestData.WeightedEdge { User = e.User, Item = e.Item, Weight = 1 }).ToList();
        var keyedWeighted = keys.Transform(ml.Data.LoadFromEnumerable(rows));
        ml.MultiInterest().GraphEmbedding(Als("Weight")).Fit(keyedWeighted);
        Assert.DoesNotContain(weighted, w => w.Contains("repeat a (user, item) pair"));
    }

    [Fact]
    public void ADoubleWeightColumn_TrainsAsItsSingleValues()
    {
        var ml = new MLContext(seed: 1);
        var edges = MLNetTestData.Edges();
        var singles = ml.Data.LoadFromEnumerable(edges.Select((e, i) => new MLNetTestData.WeightedEdge { User = e.User, Item = e.Item, Weight = Weight(i) }).ToList());
        var doubles = ml.Data.LoadFromEnumerable(edges.Select((e, i) => new DoubleWeightedEdge { User = e.User, Item = e.Item, Weight = Weight(i) }).ToList());
        var keys = MLNetTestData.KeyPipeline(ml).Fit(singles);
        var estimator = ml.MultiInterest().GraphEmbedding(Als("Weight"));
        // The shape check takes it too, so a chain plans on it before data.
        MLNetTestData.KeyPipeline(ml).Append(estimator).GetOutputSchema(MLNetTestData.RawShape<DoubleWeightedEdge>(ml));
        float[][] Vectors(IDataView raw)
        {
            var keyed = keys.Transform(raw);
            return MLNetTestData.Vectors(estimator.Fit(keyed).Transform(keyed), "UserEmbedding");
        }
        Assert.Equal(Vectors(singles), Vectors(doubles));
    }

    [Fact]
    public void ADoubleWeightColumn_HoldingANonPositiveWeight_IsRefusedByRow()
    {
        var ml = new MLContext(seed: 1);
        var rows = MLNetTestData.Edges().Select((e, i) => new DoubleWeightedEdge { User = e.User, Item = e.Item, Weight = i == 2 ? -1 : 1 }).ToList();
        var raw = ml.Data.LoadFromEnumerable(rows);
        var keyed = MLNetTestData.KeyPipeline(ml).Fit(raw).Transform(raw);
        var error = Assert.Throws<ArgumentException>(() => ml.MultiInterest().GraphEmbedding(Als("Weight")).Fit(keyed));
        Assert.Contains("Input column 'Weight' (option WeightColumnName) holds the weight -1 at row 2 of the data", error.Message);
    }

    [Theory]
    [InlineData(1e-50, "holds the weight 1E-50 at row 2 of the data (0 as the Single the edges are trained with): weights")]
    [InlineData(1e300, "holds the weight 1E+300 at row 2 of the data (Infinity as the Single the edges are trained with): weights")]
    [InlineData(-0.3, "holds the weight -0.3 at row 2 of the data: weights")]
    public void ADoubleWeight_ThatIsNoPositiveFiniteSingle_IsRefusedAsTheColumnHoldsIt(double bad, string expected)
    {
        // The message shows the Double the user wrote, and says when the Single conversion made it 0 or infinite: "the
        // weight 0" of a column holding 1e-50 would send them looking for a zero that is not there.
        var ml = new MLContext(seed: 1);
        var rows = MLNetTestData.Edges().Select((e, i) => new DoubleWeightedEdge { User = e.User, Item = e.Item, Weight = i == 2 ? bad : 1 }).ToList();
        var raw = ml.Data.LoadFromEnumerable(rows);
        var keyed = MLNetTestData.KeyPipeline(ml).Fit(raw).Transform(raw);
        var error = Assert.Throws<ArgumentException>(() => ml.MultiInterest().GraphEmbedding(Als("Weight")).Fit(keyed));
        Assert.Contains("Input column 'Weight' (option WeightColumnName) " + expected, error.Message);
        // The raw-id readers (a sweep's, LoadEdges') say it alike.
        var sweep = Assert.Throws<ArgumentException>(() => ml.MultiInterest().Sweep(raw, SweepSearchSpace.Parse("lambda=0.5"),
            new SweepOptions { Cutoff = 5, MaxTrials = 1 }, weightColumnName: "Weight"));
        Assert.Contains("Input column 'Weight' (option weightColumnName) " + expected, sweep.Message);
    }

    private sealed class LongWeightedEdge
    {
        public string User { get; set; } = "";

        public string Item { get; set; } = "";

        public long Weight { get; set; }
    }

    [Fact]
    public void AnIntegerWeight_IsShownAsTheColumnHoldsIt_NotAsASingle()
    {
        var ml = new MLContext(seed: 1);
        var rows = MLNetTestData.Edges().Select((e, i) => new LongWeightedEdge { User = e.User, Item = e.Item, Weight = i == 2 ? -1_099_511_627_776 : 1 }).ToList();
        var error = Assert.Throws<ArgumentException>(() => ml.MultiInterest().Sweep(ml.Data.LoadFromEnumerable(rows), SweepSearchSpace.Parse("lambda=0.5"),
            new SweepOptions { Cutoff = 5, MaxTrials = 1 }, weightColumnName: "Weight"));
        Assert.Contains("Input column 'Weight' (option weightColumnName) holds the weight -1099511627776 at row 2 of the data: weights", error.Message);
    }

    [Fact]
    public void ASingleWeight_IsShownAsTheSingleItIs()
    {
        var ml = new MLContext(seed: 1);
        var rows = MLNetTestData.Edges().Select((e, i) => new MLNetTestData.WeightedEdge { User = e.User, Item = e.Item, Weight = i == 4 ? -0.3f : 1 }).ToList();
        var raw = ml.Data.LoadFromEnumerable(rows);
        var keyed = MLNetTestData.KeyPipeline(ml).Fit(raw).Transform(raw);
        var error = Assert.Throws<ArgumentException>(() => ml.MultiInterest().GraphEmbedding(Als("Weight")).Fit(keyed));
        Assert.Contains("holds the weight -0.3 at row 4 of the data: weights must be positive and finite.", error.Message);
    }
}
