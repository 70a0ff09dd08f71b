namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// A clustering given rather than fitted (a divide-and-conquer model's, whose ids its mixtures name), as a
/// <see cref="SphericalKMeansResult"/>: each centroid the normalised sum of its members' unit vectors (summed in double, in
/// point order, as the update step of <see cref="SphericalKMeans"/> does), each point's cosine to its centroid, no iterations.
/// A cluster without non-zero members keeps a zero centroid (no direction; nothing is nearer to it than to a real one).
/// </summary>
internal static class GivenClusters
{
    public static SphericalKMeansResult Of(EmbeddingMatrix points, int[] assignments, int clusters)
    {
        if (assignments.Length != points.Rows) throw new ArgumentException($"{assignments.Length} assignments for {points.Rows} points.", nameof(assignments));
        int d = points.Dimension;
        var unit = new UnitPoints(points);
        var sums = new double[clusters * d];
        for (int i = 0; i < assignments.Length; i++)
        {
            int c = assignments[i];
            if ((uint)c >= (uint)clusters) throw new ArgumentOutOfRangeException(nameof(assignments), c, $"Point {i} is in cluster {c}, outside 0..{clusters - 1}.");
            var row = unit.ReadRow(i);
            for (int j = 0; j < d; j++) sums[c * d + j] += row[j];
        }
        var centroids = new EmbeddingMatrix(clusters, d);
        for (int c = 0; c < clusters; c++)
        {
            double sq = 0;
            for (int j = 0; j < d; j++) sq += sums[c * d + j] * sums[c * d + j];
            if (!(sq > 0)) continue;
            double inv = 1.0 / Math.Sqrt(sq);
            var centroid = centroids.Row(c);
            for (int j = 0; j < d; j++) centroid[j] = (float)(sums[c * d + j] * inv);
        }
        var similarities = new float[assignments.Length];
        for (int i = 0; i < assignments.Length; i++) similarities[i] = VectorMath.Dot(unit.ReadRow(i), centroids.ReadRow(assignments[i]));
        return new SphericalKMeansResult(centroids, assignments, similarities, [], 0);
    }
}
