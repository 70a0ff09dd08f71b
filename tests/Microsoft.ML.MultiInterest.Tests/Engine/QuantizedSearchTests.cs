using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Engine;

/// <summary>
/// The exact search's 8-bit prefilter (<see cref="QuantizedRows"/>): its bound must never fall below the float score the
/// search computes, and the lists proven from the rows it keeps must be the float scan's, bit for bit.
/// </summary>
public class QuantizedSearchTests
{
    /// <summary>Rows whose magnitudes differ by orders of magnitude, one dominant coordinate each, and zero rows: the coding's worst cases.</summary>
    private static EmbeddingMatrix SkewedRows(int count, int dimension, int seed)
    {
        var rows = TestGraphs.RandomMatrix(count, dimension, seed);
        var random = new Random(seed);
        for (int r = 0; r < count; r++)
        {
            var row = rows.Row(r);
            float scale = MathF.Pow(10f, random.Next(-3, 4));
            for (int j = 0; j < dimension; j++) row[j] *= scale;
            if (r % 5 == 0) row[random.Next(dimension)] *= 50f;
            if (r % 17 == 0) row.Clear();
        }
        return rows;
    }

    [Theory]
    [InlineData(1, 40)]
    [InlineData(5, 333)]
    [InlineData(128, 200)]
    [InlineData(130, 97)]
    [InlineData(768, 64)]
    [InlineData(1024, 40)]
    public void TheBoundIsNeverBelowTheSearchsFloatScore(int dimension, int rowCount)
    {
        var rows = SkewedRows(rowCount, dimension, 7 + dimension);
        // Without AVX-VNNI there is no prefilter to bound anything: the search is the float scan alone.
        if (!QuantizedRows.IsSupported)
        {
            Assert.False(new TiledTopKSearch(rows, wide: true).IsQuantized);
            return;
        }
        var queries = SkewedRows(QuantizedRows.TileQueries * 3 + 1, dimension, 11 + dimension);
        var coded = new QuantizedRows(rows);
        var block = new QuantizedQueryBlock(coded.Groups);
        for (int q = 0; q < queries.Rows; q++) Assert.True(coded.CodeQuery(queries.ReadRow(q), block, q));
        int tightest = int.MaxValue;
        for (int p = 0; p < coded.Panels; p++)
        {
            coded.BoundPanel(block, queries.Rows, p, block.Bounds, block.Tile);
            for (int q = 0; q < queries.Rows; q++)
                for (int lane = 0; lane < QuantizedRows.PanelWidth; lane++)
                {
                    int r = p * QuantizedRows.PanelWidth + lane;
                    if (r >= rows.Rows) break;
                    float exact = TiledTopKSearch.Score(queries.ReadRow(q), rows.ReadRow(r));
                    float bound = block.Bounds[q * QuantizedRows.PanelWidth + lane];
                    Assert.True(bound >= exact, $"row {r}, query {q}: bound {bound} below the score {exact}");
                    // How tight: the bound's excess over the score, against |q| |x|.
                    double norms = Norm(queries.ReadRow(q)) * Norm(rows.ReadRow(r));
                    if (norms > 0) tightest = Math.Min(tightest, (int)((bound - exact) / norms * 1e4));
                }
        }
        // Useful as well as safe: somewhere the excess is under 1% of |q| |x| (8-bit codes; 1 dimension is exact).
        Assert.True(tightest < 100, $"the tightest bound exceeds its score by {tightest / 100.0}% of |q| |x|");
    }

    [Fact]
    public void ANonFiniteQueryIsNotCoded()
    {
        if (!QuantizedRows.IsSupported)
        {
            Assert.False(new TiledTopKSearch(TestGraphs.RandomMatrix(20, 8, 1), wide: true).IsQuantized);
            return;
        }
        var coded = new QuantizedRows(TestGraphs.RandomMatrix(20, 8, 1));
        var block = new QuantizedQueryBlock(coded.Groups);
        float[] query = [1, 2, float.NaN, 0, 0, 0, 0, 0];
        Assert.False(coded.CodeQuery(query, block, 0));
        query[2] = float.PositiveInfinity;
        Assert.False(coded.CodeQuery(query, block, 0));
    }

    [Fact]
    public void ThePrefilterIsBuiltWhereItCanRun()
    {
        Assert.Equal(QuantizedRows.IsSupported, new TiledTopKSearch(TestGraphs.RandomMatrix(10, 16, 1), wide: true).IsQuantized);
        Assert.False(new TiledTopKSearch(TestGraphs.RandomMatrix(10, 16, 1), wide: true, quantize: false).IsQuantized);
        Assert.False(new TiledTopKSearch(TestGraphs.RandomMatrix(3, QuantizedRows.MaxDimension + 1, 1), wide: true).IsQuantized);
    }

    [Theory]
    // Rows and dimensions not whole panels; k from the shortest buffered list to past the row count; skewed magnitudes;
    // a tied group longer than any list (copies), which only the rescan can order.
    [InlineData(true, 533, 37, 32, 0, 0, false)]
    [InlineData(false, 533, 37, 32, 3, 0, false)]
    [InlineData(true, 901, 19, 100, 5, 0, false)]
    [InlineData(false, 901, 130, 50, 0, 0, true)]
    [InlineData(true, 77, 13, 200, 4, 0, false)]
    [InlineData(true, 700, 21, 50, 0, 150, false)]
    [InlineData(false, 1200, 256, 100, 7, 0, true)]
    [InlineData(true, 400, 3, 64, 0, 0, true)]
    public void GivesTheFloatScansListsBitForBit(bool wide, int rowCount, int dimension, int k, int skip, int copies, bool skewed)
    {
        var rows = skewed ? SkewedRows(rowCount, dimension, 5 + rowCount) : BufferedSelectionTests.Rows(rowCount, dimension, copies, 21 + rowCount);
        var queries = TestGraphs.RandomMatrix(2 * TiledTopKSearch.QueryBlock + 13, dimension, 3 + dimension);
        var search = new TiledTopKSearch(rows, wide);
        Assert.Equal(QuantizedRows.IsSupported, search.IsQuantized);
        var filter = new TiledTopKSearchTests.SkipEvery(skip);
        var buffer = search.CreateQueryBuffer();
        var candidates = search.CreateCandidateBlock();
        var selectors = Enumerable.Range(0, TiledTopKSearch.QueryBlock).Select(_ => new TopKSelector(k)).ToArray();
        var gotRows = new int[k];
        var gotScores = new float[k];
        for (int start = 0; start < queries.Rows; start += TiledTopKSearch.QueryBlock)
        {
            int count = Math.Min(TiledTopKSearch.QueryBlock, queries.Rows - start);
            for (int j = 0; j < count; j++)
            {
                queries.ReadRow(start + j).CopyTo(buffer.AsSpan(j * dimension, dimension));
                selectors[j].Reset(k);
            }
            search.SearchBlock(buffer, count, start, selectors, ref filter, candidates);
            for (int j = 0; j < count; j++)
            {
                var (expectedRows, expectedScores) = TiledTopKSearchTests.Reference(rows, queries.ReadRow(start + j), start + j, k, filter);
                int n = selectors[j].Drain(gotRows, gotScores);
                Assert.Equal(expectedRows, gotRows[..n]);
                Assert.Equal(expectedScores, gotScores[..n]);
            }
        }
        // A tied group longer than the list cannot be proven from the kept rows: those queries were scanned again in float.
        if (copies > 0) Assert.True(candidates.Rescans > 0, "no query was rescanned");
        // Otherwise the prefilter proved most lists itself (random vectors: bounds within a few percent of the scores).
        else if (search.IsQuantized) Assert.True(candidates.Rescans <= queries.Rows / 4, $"{candidates.Rescans} of {queries.Rows} queries rescanned");
    }

    private static double Norm(ReadOnlySpan<float> x)
    {
        double sum = 0;
        foreach (float v in x) sum += (double)v * v;
        return Math.Sqrt(sum);
    }
}
