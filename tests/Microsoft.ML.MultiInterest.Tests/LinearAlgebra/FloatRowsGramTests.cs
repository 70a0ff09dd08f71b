using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.LinearAlgebra;

/// <summary>The Gram of float rows widened part by part must be the Gram of the rows widened first, bit for bit.</summary>
public class FloatRowsGramTests
{
    [Theory]
    // One block, a few blocks, more blocks than the 16 parts (parts of several blocks, a short last block).
    [InlineData(7, 5, 1)]
    [InlineData(1_300, 33, 2)]
    [InlineData(9_999, 24, 2)]
    [InlineData(9_999, 24, 1)]
    public void EqualsTheGramOfTheWidenedTable(int rows, int width, int threads)
    {
        var values = TestGraphs.RandomMatrix(rows, width, seed: rows + width).Values;
        var widened = values.Select(v => (double)v).ToArray();

        var expected = DenseRows.Gram(widened, rows, width, threads);
        var actual = DenseRows.Gram(values, rows, width, threads);

        Assert.Equal(expected.Select(BitConverter.DoubleToInt64Bits), actual.Select(BitConverter.DoubleToInt64Bits));
    }
}
