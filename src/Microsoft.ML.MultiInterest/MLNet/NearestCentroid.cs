using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The one rule by which a row the k-means stage did not cluster at Fit gets a cluster: its nearest centroid by cosine,
/// ties to the lower cluster, a zero embedding to the first cluster with similarity 0 (the engine's rule, which its quota
/// tables need: every item in some cluster). The fitted transformer and a loaded model's serving tables both assign by it,
/// so they agree on every item with a vector; the transformer's columns give a row without one the missing key 0 instead
/// (<see cref="NearestCluster.None"/>), which serving never meets: its items are fitted ones.
/// </summary>
internal static class NearestCentroid
{
    /// <summary>The nearest of <paramref name="centroids"/> (unit rows) to <paramref name="embedding"/>, and the cosine.</summary>
    public static NearestCluster Of(EmbeddingMatrix centroids, ReadOnlySpan<float> embedding)
    {
        if (embedding.Length != centroids.Dimension)
            throw new ArgumentException($"The embedding has {embedding.Length} values, the centroids {centroids.Dimension}.", nameof(embedding));
        float norm = VectorMath.Norm(embedding);
        if (norm == 0) return new NearestCluster(0, 0);
        int best = 0;
        float bestScore = float.NegativeInfinity;
        for (int c = 0; c < centroids.Rows; c++)
        {
            float score = VectorMath.Dot(embedding, centroids.ReadRow(c));
            if (score > bestScore) (best, bestScore) = (c, score);
        }
        return new NearestCluster(best, bestScore / norm);
    }
}
