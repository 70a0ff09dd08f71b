using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Benchmarks.Kernels;

/// <summary>Deterministic random inputs shaped like cit-HepPh (28,226 items, d = 100) for the kernel benchmarks.</summary>
internal static class KernelData
{
    /// <summary>Items in the cit-HepPh training split.</summary>
    public const int Items = 28_226;

    /// <summary>Embedding dimension of the reproduce job.</summary>
    public const int Dimension = 100;

    /// <summary>A rows x <see cref="Dimension"/> matrix of values uniform in [-1, 1), unit rows when <paramref name="unit"/>.</summary>
    public static EmbeddingMatrix Matrix(int rows, int seed, bool unit = false)
    {
        var random = new Random(seed);
        var matrix = new EmbeddingMatrix(rows, Dimension);
        for (int r = 0; r < rows; r++)
        {
            var row = matrix.Row(r);
            for (int d = 0; d < Dimension; d++) row[d] = (float)(random.NextDouble() * 2 - 1);
            if (unit) VectorMath.NormalizeInPlace(row);
        }
        return matrix;
    }
}
