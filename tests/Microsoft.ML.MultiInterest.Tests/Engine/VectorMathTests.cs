using CsCheck;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Engine;

public class VectorMathTests
{
    [Fact]
    public void WidenedAdditionsEqualTheScalarLoopsBitForBit()
    {
        // Lengths around the vector width exercise the tail; the centroids of kNN smoothing depend on this equality.
        Gen.Select(Gen.Int[0, 37], Gen.Int, Gen.Double[-3, 3]).Sample((n, seed, scale) =>
        {
            var random = new Random(seed);
            var x = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 20 - 10)).ToArray();
            var start = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 5).ToArray();
            var sum = (double[])start.Clone();
            var scaled = (double[])start.Clone();
            VectorMath.AddWidened(sum, x);
            VectorMath.AddScaledWidened(scaled, x, scale);
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(BitConverter.DoubleToInt64Bits(start[i] + x[i]), BitConverter.DoubleToInt64Bits(sum[i]));
                Assert.Equal(BitConverter.DoubleToInt64Bits(start[i] + scale * x[i]), BitConverter.DoubleToInt64Bits(scaled[i]));
            }
        });
    }

    [Fact]
    public void WidenedAdditionsRefuseMismatchedLengths()
    {
        Assert.Throws<ArgumentException>(() => VectorMath.AddWidened(new double[3], new float[4]));
        Assert.Throws<ArgumentException>(() => VectorMath.AddScaledWidened(new double[3], new float[2], 1));
    }
}
