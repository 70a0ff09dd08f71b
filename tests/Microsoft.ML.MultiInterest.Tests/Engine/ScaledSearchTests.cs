using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Tests.Embedding;

namespace Microsoft.ML.MultiInterest.Tests.Engine;

/// <summary>
/// One scan for several rescalings of the rows (<see cref="TiledTopKSearch.SearchBlockScaled{TFilter}"/>), which Auto's
/// truncated-SVD grid uses for its item-popularity exponents: each scale's lists must be those of a scan of the rescaled rows.
/// </summary>
public class ScaledSearchTests
{
    [Theory]
    [InlineData(true, 1, 0)]
    [InlineData(false, 10, 3)]
    [InlineData(true, 20, 4)]
    [InlineData(false, 50, 0)]
    public void EachScalesListsAreThoseOfTheRescaledRows_BitForBitForPowersOfTwo(bool wide, int k, int skip)
    {
        // Powers of two (and zero) rescale a float exactly, coordinate by coordinate or after the dot product alike, so the
        // lists must match the plain scan of the rescaled rows to the bit; duplicated rows make exact ties.
        const int rowCount = 237, dimension = 19;
        var rows = TestGraphs.RandomMatrix(rowCount, dimension, 11);
        for (int r = 200; r < rowCount; r++) rows.ReadRow(r - 200).CopyTo(rows.Row(r));
        var random = new Random(5);
        var scales = Enumerable.Range(0, 3).Select(s => Enumerable.Range(0, rowCount)
            .Select(r => s == 0 ? 1f : r % 17 == 0 ? 0f : MathF.ScaleB(1f, random.Next(-3, 4))).ToArray()).ToArray();
        var queries = TestGraphs.RandomMatrix(TiledTopKSearch.QueryBlock + 5, dimension, 12);
        var search = new TiledTopKSearch(rows, wide);
        var filter = new TiledTopKSearchTests.SkipEvery(skip);
        var buffer = search.CreateQueryBuffer();
        var selectors = scales.Select(_ => Enumerable.Range(0, TiledTopKSearch.QueryBlock).Select(_ => new TopKSelector(k)).ToArray()).ToArray();
        var rescaled = scales.Select(scale =>
        {
            var m = new EmbeddingMatrix(rowCount, dimension);
            for (int r = 0; r < rowCount; r++)
                for (int j = 0; j < dimension; j++) m.Row(r)[j] = rows.ReadRow(r)[j] * scale[r];
            return m;
        }).ToArray();
        for (int start = 0; start < queries.Rows; start += TiledTopKSearch.QueryBlock)
        {
            int count = Math.Min(TiledTopKSearch.QueryBlock, queries.Rows - start);
            for (int j = 0; j < count; j++)
            {
                queries.ReadRow(start + j).CopyTo(buffer.AsSpan(j * dimension, dimension));
                foreach (var perScale in selectors) perScale[j].Reset(k);
            }
            search.SearchBlockScaled(buffer, count, start, scales, selectors, ref filter);
            for (int s = 0; s < scales.Length; s++)
                for (int j = 0; j < count; j++)
                {
                    var (expectedRows, expectedScores) = TiledTopKSearchTests.Reference(rescaled[s], queries.ReadRow(start + j), start + j, k, filter);
                    var gotRows = new int[k];
                    var gotScores = new float[k];
                    int n = selectors[s][j].Drain(gotRows, gotScores);
                    Assert.Equal(expectedRows, gotRows[..n]);
                    Assert.Equal(expectedScores, gotScores[..n]);
                }
        }
    }

    [Fact]
    public void ScalesMustCoverTheRows()
    {
        var search = new TiledTopKSearch(TestGraphs.RandomMatrix(40, 8, 1), wide: false);
        var selectors = new[] { new[] { new TopKSelector(3) } };
        var filter = new TiledTopKSearchTests.SkipEvery(0);
        Assert.Throws<ArgumentException>(() => search.SearchBlockScaled(search.CreateQueryBuffer(), 1, 0, [new float[39]], selectors, ref filter));
        Assert.Throws<ArgumentException>(() => search.SearchBlockScaled(search.CreateQueryBuffer(), 1, 0, [new float[40], new float[40]], selectors, ref filter));
    }

    [Fact]
    public void TheSvdGridsOneScanGivesEachExponentsFigure()
    {
        // Auto's grid scores the popularity exponents c of one spectral exponent in one scan; each figure must be the one a
        // scan of that trial's own item vectors gives (float rounding apart, which moves no list on this graph).
        var graph = PlantedGraph.Create().Train;
        var split = ValidationSplit.Create(graph, 0.2, seed: 3);
        var scorer = new ValidationScorer(split, cutoff: 10, maxUsers: 0, seed: 3);
        var factors = SpectralFactors.Compute(split.Train, 16, new TruncatedSvdOptions(), seed: 1, threads: 1, default);
        double[] exponents = [0, 0.25, 0.5, 0.75];
        foreach (double gamma in new[] { 0.0, 1.0 })
        {
            var (users, items) = factors.EmbedUnscaled(16, gamma);
            var shared = scorer.Score(users, items, exponents.Select(factors.ItemScales).ToArray(), 1);
            for (int j = 0; j < exponents.Length; j++)
            {
                var (u, i) = factors.Embed(16, gamma, exponents[j]);
                var alone = scorer.Score(u, i, 1);
                Assert.Equal(alone.Recall, shared[j].Recall, 12);
                Assert.Equal(alone.Ndcg, shared[j].Ndcg, 9);
            }
            // The exponents do change the lists, so the check above compares different figures.
            Assert.True(shared.Select(s => s.Recall).Distinct().Count() > 1 || shared.Select(s => s.Ndcg).Distinct().Count() > 1);
        }
    }

    [Fact]
    public void AutosConfirmationMeasuresEachFamilyOfSvdTrialsInOneScan_WithEachTrialsOwnFigure()
    {
        var graph = PlantedGraph.Create().Train;
        var split = ValidationSplit.Create(graph, 0.2, seed: 4);
        var scorer = new ValidationScorer(split, cutoff: 10, maxUsers: 0, seed: 4);
        var search = new SpectralSearch(split.Train, new GraphEmbeddingOptions { Seed = 4 }, scorer, 1, [], default, screeningRank: 8, firstTopRank: 16);
        search.Screen();
        var trials = search.Trials.ToList();
        var shared = AutoEmbedding.MeasureFamilies(trials, scorer, 1, default);
        // Every SVD trial has three siblings differing only in c (the grid), so all of them are measured in families.
        var families = trials.Where(t => t.Spectral != null).GroupBy(t => t.Spectral!.Family).Where(g => g.Count() > 1).ToList();
        Assert.NotEmpty(families);
        Assert.Equal(families.Sum(g => g.Count()), shared.Count);
        foreach (var (trial, score) in shared)
        {
            var (users, items) = trial.Vectors();
            var alone = scorer.Score(users, items, 1);
            Assert.Equal(alone.Recall, score.Recall, 12);
            Assert.Equal(alone.Ndcg, score.Ndcg, 9);
            // The screening measured the same trial on the same users: the figure it kept is the one measured again here.
            Assert.Equal(trial.Recall, score.Recall, 12);
        }
    }
}
