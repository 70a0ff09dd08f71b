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
    public void WidenedAdditionRefusesMismatchedLengths()
    {
        Assert.Throws<ArgumentException>(() => VectorMath.AddScaledWidened(new double[3], new float[2], 1));
    }
}
