namespace Microsoft.ML.MultiInterest.Tests.LinearAlgebra;

/// <summary>Seeded dense operands for the linear-algebra kernels' tests.</summary>
internal static class DenseValues
{
    /// <summary><paramref name="length"/> doubles uniform in [-1, 1), the same for a seed.</summary>
    public static double[] Uniform(int length, int seed)
    {
        var random = new Random(seed);
        var values = new double[length];
        for (int k = 0; k < length; k++) values[k] = random.NextDouble() * 2 - 1;
        return values;
    }
}
