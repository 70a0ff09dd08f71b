using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Benchmarks;

/// <summary>
/// Mean over points of the cosine to the nearest unit centroid: the fit measure the k-means peers
/// (FAISS, scikit-learn) can compute the same way. Brute force; runs outside the timed fit.
/// </summary>
internal static class NearestCentroidCosine
{
    public static double Mean(EmbeddingMatrix points, EmbeddingMatrix centroids, int threads)
    {
        var unit = points.Normalized();
        var best = new double[unit.Rows];
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads == 0 ? Environment.ProcessorCount : threads };
        Parallel.For(0, unit.Rows, options, i =>
        {
            var row = unit.ReadRow(i);
            float top = float.NegativeInfinity;
            for (int c = 0; c < centroids.Rows; c++) top = MathF.Max(top, VectorMath.Dot(row, centroids.ReadRow(c)));
            best[i] = top;
        });
        return best.Average();
    }
}
