using CsCheck;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Engine;

public class VectorMathTests
{
    [Fact]
    public void WidenedScaledAdditionEqualsTheScalarLoopBitForBit()
    {
        // Lengths around the vector width exercise the tail; the centroids of kNN smoothing depend on this equality.
        Gen.Select(Gen.Int[0, 37], Gen.Int, Gen.Double[-3, 3], Gen.Bool).Sample((n, seed, scaleDraw, unit) =>
        {
            double scale = unit ? 1 : scaleDraw;
            var random = new Random(seed);
            var x = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 20 - 10)).ToArray();
            var start = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 5).ToArray();
            var scaled = (double[])start.Clone();
            VectorMath.AddScaledWidened(scaled, x, scale);
            for (int i = 0; i < n; i++)
            {
                double expected = unit ? start[i] + x[i] : start[i] + scale * x[i];
                Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(scaled[i]));
            }
        });
    }

    [Fact]
    public void FourDotsAtOnceAreEachTheSingleDotBitForBit()
    {
        // Lengths around one and two vector widths exercise the paired chains, the single chunk and the scalar tail; MMR's
        // lists stay the same only if each of the four equals the one-at-a-time dot exactly.
        Gen.Select(Gen.Int[0, 70], Gen.Int).Sample((n, seed) =>
        {
            var random = new Random(seed);
            float[] Draw() => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            var a = Draw();
            float[][] rows = [Draw(), Draw(), Draw(), Draw()];
            VectorMath.DotFour(a, rows[0], rows[1], rows[2], rows[3], out float d0, out float d1, out float d2, out float d3);
            float[] four = [d0, d1, d2, d3];
            for (int k = 0; k < 4; k++)
                Assert.Equal(BitConverter.SingleToInt32Bits(VectorMath.Dot(a, rows[k])), BitConverter.SingleToInt32Bits(four[k]));
        });
    }

    [Fact]
    public void RowSumsInRegistersEqualTheWidenedAdditionsBitForBit()
    {
        // Diversity's mean: the rows added in order, each lane's sum kept in a register, must equal the sums through
        // memory. Dimensions cover four chunks at once, single chunks and the scalar tail; rows may repeat.
        Gen.Select(Gen.Int[1, 70], Gen.Int[0, 60], Gen.Int).Sample((d, count, seed) =>
        {
            var random = new Random(seed);
            const int tableRows = 12;
            var table = Enumerable.Range(0, tableRows * d).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            var rows = Enumerable.Range(0, count).Select(_ => random.Next(tableRows)).ToArray();
            var expected = new double[d];
            foreach (int r in rows) VectorMath.AddScaledWidened(expected, table.AsSpan(r * d, d), 1);
            var sum = Enumerable.Repeat(double.NaN, d).ToArray();
            VectorMath.SumRowsWidened(table, rows, sum);
            for (int i = 0; i < d; i++) Assert.Equal(BitConverter.DoubleToInt64Bits(expected[i]), BitConverter.DoubleToInt64Bits(sum[i]));
        });
    }

    [Fact]
    public void RowSumsRefuseARowOutsideTheTable()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => VectorMath.SumRowsWidened(new float[6], [0, 3], new double[2]));
        Assert.Equal("rows", error.ParamName);
    }

    [Fact]
    public void FourSquaredDistancesAreEachTheSingleOneBitForBit()
    {
        Gen.Select(Gen.Int[0, 70], Gen.Int).Sample((n, seed) =>
        {
            var random = new Random(seed);
            float[] Draw() => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            var y = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
            float[][] rows = [Draw(), Draw(), Draw(), Draw()];
            VectorMath.SquaredDistancesWidened(rows[0], rows[1], rows[2], rows[3], y, out double s0, out double s1, out double s2, out double s3);
            double[] four = [s0, s1, s2, s3];
            for (int k = 0; k < 4; k++)
                Assert.Equal(BitConverter.DoubleToInt64Bits(VectorMath.SquaredDistanceWidened(rows[k], y)), BitConverter.DoubleToInt64Bits(four[k]));
        });
    }

    [Fact]
    public void FourDotsRefuseMismatchedLengths()
    {
        Assert.Throws<ArgumentException>(() => VectorMath.DotFour(new float[3], new float[3], new float[3], new float[2], new float[3], out _, out _, out _, out _));
    }

    [Fact]
    public void WidenedAdditionRefusesMismatchedLengths()
    {
        Assert.Throws<ArgumentException>(() => VectorMath.AddScaledWidened(new double[3], new float[2], 1));
    }
}
