using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.LinearAlgebra;

/// <summary>
/// The randomized SVD's products that save a table (in place, or straight to floats) must give the bits of the plain
/// product into a new table, whatever the thread count and wherever the rows fall across blocks.
/// </summary>
public class DenseRowsProductTests
{
    [Theory]
    [InlineData(1, 5, 1)]
    [InlineData(7, 33, 2)]
    [InlineData(513, 70, 1)]
    [InlineData(1_100, 40, 2)]
    [InlineData(1_537, 9, 3)]
    public void InPlaceProductHasTheBitsOfTheProductIntoANewTable(int rows, int width, int threads)
    {
        var y = DenseValues.Uniform(rows * width, rows + width);
        var m = DenseValues.Uniform(width * width, width);
        var expected = DenseRows.MultiplyRight(y, rows, width, m, width, threads: 1);
        DenseRows.MultiplyRightInPlace(y, rows, width, m, threads);
        Assert.Equal(expected.Select(BitConverter.DoubleToInt64Bits), y.Select(BitConverter.DoubleToInt64Bits));
    }

    [Theory]
    [InlineData(1, 5, 3, 1)]
    [InlineData(9, 40, 33, 2)]
    [InlineData(1_100, 70, 64, 2)]
    [InlineData(1_025, 16, 16, 1)]
    public void SingleProductIsTheDoubleProductRoundedOnce(int rows, int width, int outWidth, int threads)
    {
        var y = DenseValues.Uniform(rows * width, rows);
        var m = DenseValues.Uniform(width * outWidth, outWidth);
        var expected = DenseRows.MultiplyRight(y, rows, width, m, outWidth, threads: 1);
        var single = DenseRows.MultiplyRightToSingle(y, rows, width, m, outWidth, threads);
        Assert.Equal(rows * outWidth, single.Length);
        Assert.Equal(expected.Select(x => BitConverter.SingleToInt32Bits((float)x)), single.Select(BitConverter.SingleToInt32Bits));
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(2, 1)]
    public void OrthonormalisationInPlaceGivesOrthonormalColumnsSpanningTheInput(int passes, int threads)
    {
        const int rows = 700, width = 12;
        var y = DenseValues.Uniform(rows * width, 3);
        var original = (double[])y.Clone();
        Orthonormalizer.Orthonormalize(y, rows, width, threads, passes);
        var gram = DenseRows.Gram(y, rows, width, threads: 1);
        for (int i = 0; i < width; i++)
            for (int j = 0; j < width; j++)
                Assert.Equal(i == j ? 1.0 : 0.0, gram[i * width + j], 1e-9);
        // Each input column is its projection on the basis: Y = Q (Qᵀ Y).
        for (int c = 0; c < width; c++)
        {
            var coefficients = new double[width];
            for (int r = 0; r < rows; r++)
                for (int k = 0; k < width; k++) coefficients[k] += y[r * width + k] * original[r * width + c];
            for (int r = 0; r < rows; r++)
            {
                double projection = 0;
                for (int k = 0; k < width; k++) projection += y[r * width + k] * coefficients[k];
                Assert.Equal(original[r * width + c], projection, 1e-9);
            }
        }
    }
}
