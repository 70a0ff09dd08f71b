namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// A clustering given rather than fitted (a divide-and-conquer model's, whose ids its mixtures name), as a
/// <see cref="SphericalKMeansResult"/>: the centroids <see cref="ItemClustering.Create"/> computes from the assignments (the
/// rule the model's own clustering was built by, so the same members give the same centroids, bit for bit), each point's
/// cosine to its centroid, no iterations. A cluster without non-zero members keeps a zero centroid.
/// </summary>
internal static class GivenClusters
{
    public static SphericalKMeansResult Of(EmbeddingMatrix points, int[] assignments, int clusters)
    {
        if (assignments.Length != points.Rows) throw new ArgumentException($"{assignments.Length} assignments for {points.Rows} points.", nameof(assignments));
        for (int i = 0; i < assignments.Length; i++)
            if ((uint)assignments[i] >= (uint)clusters)
                throw new ArgumentOutOfRangeException(nameof(assignments), assignments[i], $"Point {i} is in cluster {assignments[i]}, outside 0..{clusters - 1}.");
        var centroids = ItemClustering.Create(assignments, clusters, points).Centroids;
        var unit = new UnitPoints(points);
        var similarities = new float[assignments.Length];
        for (int i = 0; i < assignments.Length; i++) similarities[i] = VectorMath.Dot(unit.ReadRow(i), centroids.ReadRow(assignments[i]));
        return new SphericalKMeansResult(centroids, assignments, similarities, [], 0);
    }
}
