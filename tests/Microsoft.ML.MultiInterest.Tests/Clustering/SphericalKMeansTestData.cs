using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Clustering;

/// <summary>Synthetic point sets for the spherical k-means tests.</summary>
internal static class SphericalKMeansTestData
{
    /// <summary>Uniformly random directions (Gaussian rows).</summary>
    public static EmbeddingMatrix RandomPoints(int rows, int dimension, int seed)
    {
        var rng = new Random(seed);
        var m = new EmbeddingMatrix(rows, dimension);
        for (int i = 0; i < m.Values.Length; i++) m.Values[i] = Gaussian(rng);
        return m;
    }

    /// <summary>
    /// <paramref name="clusters"/> random unit directions with <paramref name="perCluster"/> noisy copies each, in
    /// shuffled order; returns the points and the planted label of every row.
    /// </summary>
    public static (EmbeddingMatrix Points, int[] Labels) Planted(int clusters, int perCluster, int dimension, float noise, int seed)
    {
        var rng = new Random(seed);
        var centers = RandomPoints(clusters, dimension, seed + 1).Normalized();
        int n = clusters * perCluster;
        var order = Enumerable.Range(0, n).OrderBy(_ => rng.Next()).ToArray();
        var m = new EmbeddingMatrix(n, dimension);
        var labels = new int[n];
        for (int p = 0; p < n; p++)
        {
            int row = order[p];
            int label = p / perCluster;
            labels[row] = label;
            var center = centers.ReadRow(label);
            var target = m.Row(row);
            // Random scale too: clustering is by direction only.
            float scale = 0.5f + (float)rng.NextDouble() * 3f;
            for (int j = 0; j < dimension; j++) target[j] = scale * (center[j] + noise * Gaussian(rng));
        }
        return (m, labels);
    }

    private static float Gaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble();
        double u2 = rng.NextDouble();
        return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
    }
}
